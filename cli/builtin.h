/* The subcommands: one builtin-<command>.c each, dispatched by main.c. */
#ifndef NTVISOR_CLI_BUILTIN_H
#define NTVISOR_CLI_BUILTIN_H

int cmd_run(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_lab(int argc, char **argv);
int cmd_kd(int argc, char **argv);
int cmd_services(int argc, char **argv);

#endif
