/*
 * A trial read of a whole HDF5 file in a forked child process, before the real read.
 *
 * libhdf5 1.10 (Debian bookworm's only version) can crash (double frees, reads past heap
 * buffers), loop forever, or allocate gigabytes on some deliberately damaged files, whatever
 * is checked beforehand. The child opens the file and does everything the HDF5 module's
 * readers do: lists every group's links and every object's attributes by creation order then
 * by name index (as `indexedNames` does), opens every child by name, and reads every
 * attribute and dataset of a number or string type, with the same bounds. If that crashes,
 * hangs or runs out of its memory allowance, only the child dies, and the caller refuses the
 * file; if it finishes, the same reads in the caller take the same paths through libhdf5 on
 * the same bytes, so they finish too.
 *
 * The child runs C only (no Swift runtime, no locks of the parent's other threads), never
 * returns, and leaves with _exit (no atexit handlers: libhdf5's would flush the parent's
 * files). The caller must hold the HDF5 module's lock while forking, so that no other thread
 * is inside libhdf5.
 */
#ifndef CHDF5_PROBE_H
#define CHDF5_PROBE_H

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the trial read found. */
enum {
    SHIM_PROBE_FINISHED = 0,       /* read everything (read errors included: the caller meets them itself) */
    SHIM_PROBE_OUT_OF_MEMORY = 1,  /* an allocation failed: the file asks for more memory than its allowance */
    SHIM_PROBE_CRASHED = 2,        /* the child died of `signal` */
    SHIM_PROBE_TIMED_OUT = 3,      /* the child did not finish within the time allowed */
    SHIM_PROBE_NOT_RUN = 4         /* fork or pipe failed; nothing is known */
};

enum { SHIM_PROBE_MAX_DEPTH = 64, SHIM_PROBE_MAX_OBJECTS = 1 << 20 };

typedef struct {
    hid_t file;
    hid_t transfer;          /* bounded variable-length allocations, as the datasets' reads */
    long long file_size;
    haddr_t *visited;        /* object addresses already walked */
    size_t visited_count;
    int out_of_memory;
} shim_probe_walk;

/* Whether `count` elements of `element_size` stored bytes pass the module's ReadLimits.check. */
static inline int shim_probe_within_limits(const shim_probe_walk *walk, long long count, size_t element_size, int filtered) {
    if (count < 0 || count > (1LL << 31)) return 0;
    long long size = element_size == 0 ? 1 : (long long)element_size;
    if (count != 0 && size > INT64_MAX / count) return 0;
    long long bytes = count * size;
    long long expansion = filtered ? 4096 : 1;
    long long allowed = walk->file_size > (INT64_MAX - (16LL << 20)) / expansion
        ? INT64_MAX : walk->file_size * expansion + (16LL << 20);
    return bytes <= allowed;
}

/* Reads all values of an attribute (`dataset` < 0) or a dataset, as the module reads numbers and strings. */
static inline void shim_probe_read_values(shim_probe_walk *walk, hid_t attribute, hid_t dataset) {
    int is_attribute = attribute >= 0;
    hid_t type = is_attribute ? H5Aget_type(attribute) : H5Dget_type(dataset);
    hid_t space = is_attribute ? H5Aget_space(attribute) : H5Dget_space(dataset);
    if (type < 0 || space < 0) goto done;
    hssize_t count = H5Sget_simple_extent_npoints(space);
    H5T_class_t type_class = H5Tget_class(type);
    size_t size = H5Tget_size(type);
    int filtered = 0;
    if (!is_attribute) {
        hid_t creation = H5Dget_create_plist(dataset);
        if (creation >= 0) {
            filtered = H5Pget_nfilters(creation) != 0;
            H5Pclose(creation);
        }
    }
    if (count <= 0) goto done;
    if (type_class == H5T_STRING && H5Tis_variable_str(type) > 0) {
        if (!shim_probe_within_limits(walk, count, 16, filtered)) goto done;
        hid_t memory = H5Tcopy(H5T_C_S1);
        if (memory < 0) goto done;
        H5Tset_size(memory, H5T_VARIABLE);
        H5Tset_cset(memory, H5Tget_cset(type));
        char **strings = (char **)calloc((size_t)count, sizeof(char *));
        if (strings != NULL) {
            errno = 0;
            herr_t status = is_attribute
                ? H5Aread(attribute, memory, strings)
                : H5Dread(dataset, memory, H5S_ALL, H5S_ALL, walk->transfer, strings);
            if (status < 0 && errno == ENOMEM) walk->out_of_memory = 1;
            if (status >= 0) H5Dvlen_reclaim(memory, space, is_attribute ? H5P_DEFAULT : walk->transfer, strings);
            free(strings);
        } else {
            walk->out_of_memory = 1;
        }
        H5Tclose(memory);
    } else if (type_class == H5T_INTEGER || type_class == H5T_FLOAT || type_class == H5T_STRING) {
        if (size == 0 || size > shim_max_string_bytes()) goto done;
        if (!shim_probe_within_limits(walk, count, size, filtered)) goto done;
        hid_t memory = type_class == H5T_STRING ? H5Tcopy(type) : H5Tget_native_type(type, H5T_DIR_DEFAULT);
        if (memory < 0) goto done;
        size_t memory_size = H5Tget_size(memory);
        void *buffer = memory_size == 0 ? NULL : calloc((size_t)count, memory_size);
        if (buffer != NULL) {
            errno = 0;
            herr_t status = is_attribute
                ? H5Aread(attribute, memory, buffer)
                : H5Dread(dataset, memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer);
            if (status < 0 && errno == ENOMEM) walk->out_of_memory = 1;
            free(buffer);
        } else if (memory_size != 0) {
            walk->out_of_memory = 1;
        }
        H5Tclose(memory);
    }
done:
    if (type >= 0) H5Tclose(type);
    if (space >= 0) H5Sclose(space);
    H5Eclear2(H5E_DEFAULT);
}

/* The names of `count` links (`attributes` 0) or attributes of `object`, by creation order,
 * else by name, as `indexedNames` reads them; NULL when neither index reads. Free each and the array. */
static inline char **shim_probe_names(hid_t object, hsize_t count, int attributes) {
    if (count == 0 || count > (hsize_t)SHIM_PROBE_MAX_OBJECTS) return NULL;
    H5_index_t orders[2] = {H5_INDEX_CRT_ORDER, H5_INDEX_NAME};
    for (int o = 0; o < 2; o++) {
        char **names = (char **)calloc((size_t)count, sizeof(char *));
        if (names == NULL) return NULL;
        hsize_t index = 0;
        for (; index < count; index++) {
            ssize_t length = attributes
                ? H5Aget_name_by_idx(object, ".", orders[o], H5_ITER_INC, index, NULL, 0, H5P_DEFAULT)
                : H5Lget_name_by_idx(object, ".", orders[o], H5_ITER_INC, index, NULL, 0, H5P_DEFAULT);
            if (length < 0 || (size_t)length > shim_max_string_bytes()) break;
            names[index] = (char *)calloc((size_t)length + 1, 1);
            if (names[index] == NULL) break;
            ssize_t got = attributes
                ? H5Aget_name_by_idx(object, ".", orders[o], H5_ITER_INC, index, names[index], (size_t)length + 1, H5P_DEFAULT)
                : H5Lget_name_by_idx(object, ".", orders[o], H5_ITER_INC, index, names[index], (size_t)length + 1, H5P_DEFAULT);
            if (got < 0) break;
        }
        H5Eclear2(H5E_DEFAULT);
        if (index == count) return names;
        for (hsize_t i = 0; i < count; i++) free(names[i]);
        free(names);
    }
    return NULL;
}

static inline void shim_probe_free_names(char **names, hsize_t count) {
    if (names == NULL) return;
    for (hsize_t i = 0; i < count; i++) free(names[i]);
    free(names);
}

/* Walks `object` (open), its attributes, its data or its children, depth first. */
static inline void shim_probe_object(shim_probe_walk *walk, hid_t object, int depth) {
    H5O_info_t info;
    if (H5Oget_info2(object, &info, H5O_INFO_BASIC | H5O_INFO_NUM_ATTRS) < 0) {
        H5Eclear2(H5E_DEFAULT);
        return;
    }
    for (size_t i = 0; i < walk->visited_count; i++) {
        if (walk->visited[i] == info.addr) return;
    }
    if (walk->visited_count >= SHIM_PROBE_MAX_OBJECTS) return;
    if ((walk->visited_count & (walk->visited_count - 1)) == 0) {
        size_t capacity = walk->visited_count == 0 ? 16 : walk->visited_count * 2;
        haddr_t *grown = (haddr_t *)realloc(walk->visited, capacity * sizeof(haddr_t));
        if (grown == NULL) {
            walk->out_of_memory = 1;
            return;
        }
        walk->visited = grown;
    }
    walk->visited[walk->visited_count++] = info.addr;

    hsize_t attribute_count = info.num_attrs;
    char **attribute_names = shim_probe_names(object, attribute_count, 1);
    for (hsize_t i = 0; attribute_names != NULL && i < attribute_count; i++) {
        hid_t attribute = H5Aopen(object, attribute_names[i], H5P_DEFAULT);
        if (attribute >= 0) {
            shim_probe_read_values(walk, attribute, -1);
            H5Aclose(attribute);
        }
        H5Eclear2(H5E_DEFAULT);
    }
    shim_probe_free_names(attribute_names, attribute_count);

    if (info.type == H5O_TYPE_DATASET) {
        shim_probe_read_values(walk, -1, object);
    } else if (info.type == H5O_TYPE_GROUP && depth < SHIM_PROBE_MAX_DEPTH) {
        H5G_info_t group;
        if (H5Gget_info(object, &group) < 0) {
            H5Eclear2(H5E_DEFAULT);
            return;
        }
        char **names = shim_probe_names(object, group.nlinks, 0);
        for (hsize_t i = 0; names != NULL && i < group.nlinks; i++) {
            hid_t child = H5Oopen(object, names[i], H5P_DEFAULT);
            if (child >= 0) {
                shim_probe_object(walk, child, depth + 1);
                H5Oclose(child);
            }
            H5Eclear2(H5E_DEFAULT);
        }
        shim_probe_free_names(names, group.nlinks);
    }
}

/* The child: opens `path` read-only and walks it; leaves with 0, or 1 when memory ran out. */
static inline void shim_probe_child(const char *path, long long file_size) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    shim_probe_walk walk;
    memset(&walk, 0, sizeof walk);
    walk.file_size = file_size;
    hid_t access = H5Pcreate(H5P_FILE_ACCESS);
#if H5_VERSION_GE(1, 10, 7)
    if (access >= 0) H5Pset_file_locking(access, 0, 1);
#endif
    walk.file = H5Fopen(path, H5F_ACC_RDONLY, access >= 0 ? access : H5P_DEFAULT);
    if (walk.file < 0) _exit(0);  /* the caller's own open reports why */
    walk.transfer = shim_create_bounded_transfer();
    if (walk.transfer < 0) walk.transfer = H5P_DEFAULT;
    hid_t root = H5Oopen(walk.file, "/", H5P_DEFAULT);
    if (root >= 0) shim_probe_object(&walk, root, 0);
    _exit(walk.out_of_memory ? 1 : 0);
}

/* Bytes of address space the process uses now (/proc/self/statm), or 0 when unknown. */
static inline unsigned long long shim_probe_address_space(void) {
    FILE *statm = fopen("/proc/self/statm", "r");
    if (statm == NULL) return 0;
    unsigned long long pages = 0;
    if (fscanf(statm, "%llu", &pages) != 1) pages = 0;
    fclose(statm);
    return pages * (unsigned long long)sysconf(_SC_PAGESIZE);
}

/*
 * Runs the trial read of `path` (`file_size` bytes) in a child allowed `memory_allowance`
 * bytes of address space beyond what the process uses and `seconds` of wall time. Returns a
 * SHIM_PROBE_ value; for SHIM_PROBE_CRASHED, `*signal_number` says which signal.
 */
static inline int shim_probe_file(const char *path, long long file_size, unsigned long long memory_allowance,
                                  unsigned seconds, int *signal_number) {
    *signal_number = 0;
    unsigned long long in_use = shim_probe_address_space();
    fflush(NULL);  /* buffered output would be written twice */
    pid_t child = fork();
    if (child < 0) return SHIM_PROBE_NOT_RUN;
    if (child == 0) {
        /* Die of the signal itself: no crash reporter or backtracer runs in the child. */
        int deadly[] = {SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE, SIGALRM};
        for (size_t i = 0; i < sizeof deadly / sizeof deadly[0]; i++) signal(deadly[i], SIG_DFL);
        if (in_use > 0) {
            struct rlimit limit;
            limit.rlim_cur = limit.rlim_max = (rlim_t)(in_use + memory_allowance);
            setrlimit(RLIMIT_AS, &limit);
        }
        alarm(seconds);
        shim_probe_child(path, file_size);
        _exit(0);
    }
    int status = 0;
    pid_t waited;
    do {
        waited = waitpid(child, &status, 0);
    } while (waited < 0 && errno == EINTR);
    if (waited < 0) return SHIM_PROBE_NOT_RUN;
    if (WIFEXITED(status)) return WEXITSTATUS(status) == 1 ? SHIM_PROBE_OUT_OF_MEMORY : SHIM_PROBE_FINISHED;
    if (WIFSIGNALED(status)) {
        *signal_number = WTERMSIG(status);
        return *signal_number == SIGALRM ? SHIM_PROBE_TIMED_OUT : SHIM_PROBE_CRASHED;
    }
    return SHIM_PROBE_NOT_RUN;
}

#endif /* CHDF5_PROBE_H */
