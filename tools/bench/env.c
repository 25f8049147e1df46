// SPDX-License-Identifier: GPL-2.0
/*
 * ramchan-bench environment: what a run was measured on, recorded with its
 * results (JSON, CSV, plot titles): the kernel, the CPU model and count,
 * whether the CPU says it runs under a hypervisor, the Spectre v2
 * mitigation, the pinning and the open-loop rate.
 */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "report.h"

static bool virtualized(void)
{
	char line[512];
	bool hv = false;
	FILE *f = fopen("/proc/cpuinfo", "r");

	if (!f)
		return false;
	while (!hv && fgets(line, sizeof(line), f))
		hv = !strncmp(line, "flags", 5) && strstr(line, " hypervisor");
	fclose(f);
	return hv;
}

static void read_first_line(const char *path, char *out, size_t len)
{
	FILE *f = fopen(path, "r");

	out[0] = 0;
	if (f) {
		if (fgets(out, len, f))
			out[strcspn(out, "\n")] = 0;
		fclose(f);
	}
}

static void cpu_model(char *out, size_t len)
{
	char line[256];
	FILE *f = fopen("/proc/cpuinfo", "r");

	snprintf(out, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "model name", 10)) {
			char *p = strchr(line, ':');

			if (p) {
				snprintf(out, len, "%s", p + 2);
				out[strcspn(out, "\n")] = 0;
			}
			break;
		}
	}
	fclose(f);
}

void get_env(const struct opts *o, struct env *e)
{
	struct utsname u;

	memset(e, 0, sizeof(*e));
	uname(&u);
	snprintf(e->kernel, sizeof(e->kernel), "%s", u.release);
	cpu_model(e->cpu, sizeof(e->cpu));
	read_first_line("/sys/devices/system/cpu/vulnerabilities/spectre_v2",
			e->spectre_v2, sizeof(e->spectre_v2));
	e->cpus = sysconf(_SC_NPROCESSORS_ONLN);
	e->virtualized = virtualized();
	e->cpu_a = o->cpu_a;
	e->cpu_b = o->cpu_b;
	e->rate = o->rate;
}
