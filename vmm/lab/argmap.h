/* Command lines carried into the lab unchanged but for their files: each
 * argument that names a host file is rewritten to name the file's copy in
 * the lab, keeping how the user spelled the option around it. */
#ifndef NTVISOR_LAB_ARGMAP_H
#define NTVISOR_LAB_ARGMAP_H

#include <stddef.h>

/* One rewrite. value points into one argument of the argv being mapped,
 * where a value the command parsed begins (getopt's optarg for --opt=FILE,
 * --opt FILE, -oFILE or -o FILE; or an operand such as the program): from
 * there on the argument becomes lab_value, its text before value (--opt=,
 * -o) kept. Located by address, so an equal string elsewhere (a program
 * argument that spells the same path) is left alone. */
struct lab_argmap {
    const char *value;
    const char *lab_value;
};

/* A new NULL-terminated copy of argv[0..argc) with the map applied (to an
 * argument, the first entry pointing into it); the other arguments are
 * copied unchanged. NULL when out of memory. Free with lab_argv_free. */
char **lab_argv_map(int argc, char *const *argv, const struct lab_argmap *map, size_t n);

void lab_argv_free(char **argv);

#endif
