/* SPDX-License-Identifier: GPL-2.0 */
/* The control device /dev/ramchan and its ioctls (ctl.c). */
#ifndef RAMCHAN_CTL_H
#define RAMCHAN_CTL_H

struct ramchan_ioctl_table;

extern const struct ramchan_ioctl_table ramchan_ctl_ioctl_table;

int ramchan_ctl_init(void);
void ramchan_ctl_exit(void);

#endif /* RAMCHAN_CTL_H */
