/* SPDX-License-Identifier: GPL-2.0 */
/* The generic netlink family "ramchan" (netlink.c): registered last. */
#ifndef RAMCHAN_NETLINK_H
#define RAMCHAN_NETLINK_H

int ramchan_netlink_init(void);
void ramchan_netlink_exit(void);

#endif /* RAMCHAN_NETLINK_H */
