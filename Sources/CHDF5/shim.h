/*
 * CHDF5: the parts of libhdf5 that Swift cannot import directly.
 *
 * libhdf5 spells its predefined types and property-list classes as macros over
 * globals that need H5open() first (H5T_NATIVE_FLOAT is `(H5open(),
 * H5T_NATIVE_FLOAT_g)`), and a few constants as casts (H5T_VARIABLE is
 * `(size_t)-1`). Swift's importer drops such macros, so each one is exposed
 * here as a `static inline` function named after the macro: `shim_H5P_DEFAULT()`.
 *
 * The `shim_*` helpers without a macro name also hide the API differences
 * between libhdf5 1.10 (Debian bookworm) and 1.12+, so the Swift code calls one
 * name on every version.
 */
#ifndef CHDF5_SHIM_H
#define CHDF5_SHIM_H

#include <hdf5/serial/hdf5.h>
#include <stdlib.h>
#include <string.h>

/* Property lists, dataspaces, error stacks. */
static inline hid_t shim_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t shim_H5S_ALL(void) { return H5S_ALL; }
static inline hid_t shim_H5E_DEFAULT(void) { return H5E_DEFAULT; }

static inline hid_t shim_H5P_FILE_CREATE(void) { return H5P_FILE_CREATE; }
static inline hid_t shim_H5P_FILE_ACCESS(void) { return H5P_FILE_ACCESS; }
static inline hid_t shim_H5P_LINK_CREATE(void) { return H5P_LINK_CREATE; }
static inline hid_t shim_H5P_GROUP_CREATE(void) { return H5P_GROUP_CREATE; }
static inline hid_t shim_H5P_DATASET_CREATE(void) { return H5P_DATASET_CREATE; }
static inline hid_t shim_H5P_DATASET_XFER(void) { return H5P_DATASET_XFER; }
static inline hid_t shim_H5P_ATTRIBUTE_CREATE(void) { return H5P_ATTRIBUTE_CREATE; }

static inline unsigned shim_H5P_CRT_ORDER_TRACKED(void) { return H5P_CRT_ORDER_TRACKED; }
static inline unsigned shim_H5P_CRT_ORDER_INDEXED(void) { return H5P_CRT_ORDER_INDEXED; }

/* File access flags and object-count selectors. */
static inline unsigned shim_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned shim_H5F_ACC_RDWR(void) { return H5F_ACC_RDWR; }
static inline unsigned shim_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline unsigned shim_H5F_ACC_EXCL(void) { return H5F_ACC_EXCL; }
static inline unsigned shim_H5F_OBJ_ALL(void) { return H5F_OBJ_ALL; }
static inline unsigned shim_H5F_OBJ_LOCAL(void) { return H5F_OBJ_LOCAL; }

/* Memory (native) types. */
static inline hid_t shim_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t shim_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t shim_H5T_NATIVE_INT8(void) { return H5T_NATIVE_INT8; }
static inline hid_t shim_H5T_NATIVE_INT16(void) { return H5T_NATIVE_INT16; }
static inline hid_t shim_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
static inline hid_t shim_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t shim_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t shim_H5T_NATIVE_UINT16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t shim_H5T_NATIVE_UINT32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t shim_H5T_NATIVE_UINT64(void) { return H5T_NATIVE_UINT64; }

/* File (standard, little-endian) types: what h5py writes on x86-64 and ARM. */
static inline hid_t shim_H5T_IEEE_F32LE(void) { return H5T_IEEE_F32LE; }
static inline hid_t shim_H5T_IEEE_F64LE(void) { return H5T_IEEE_F64LE; }
static inline hid_t shim_H5T_STD_I8LE(void) { return H5T_STD_I8LE; }
static inline hid_t shim_H5T_STD_I16LE(void) { return H5T_STD_I16LE; }
static inline hid_t shim_H5T_STD_I32LE(void) { return H5T_STD_I32LE; }
static inline hid_t shim_H5T_STD_I64LE(void) { return H5T_STD_I64LE; }
static inline hid_t shim_H5T_STD_U8LE(void) { return H5T_STD_U8LE; }
static inline hid_t shim_H5T_STD_U16LE(void) { return H5T_STD_U16LE; }
static inline hid_t shim_H5T_STD_U32LE(void) { return H5T_STD_U32LE; }
static inline hid_t shim_H5T_STD_U64LE(void) { return H5T_STD_U64LE; }

/* Strings. */
static inline hid_t shim_H5T_C_S1(void) { return H5T_C_S1; }
static inline size_t shim_H5T_VARIABLE(void) { return H5T_VARIABLE; }

/*
 * Turns off libhdf5's automatic printing of error stacks to stderr. In a
 * thread-safe libhdf5 (Debian builds it so) the setting lives in a per-thread
 * error stack, so it is applied once per calling thread.
 */
static inline void shim_silence_error_printing(void) {
    static _Thread_local int silenced = 0;
    if (!silenced) {
        H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
        silenced = 1;
    }
}

static inline herr_t shim_copy_error_description(unsigned n, const H5E_error2_t *error, void *buffer) {
    (void)n;
    if (error != NULL && error->desc != NULL && error->desc[0] != '\0') {
        char *message = (char *)buffer;
        strncpy(message, error->desc, 1023);
        message[1023] = '\0';
    }
    return 0;
}

/*
 * Copies the description of the innermost error on this thread's error stack
 * (the most specific cause, e.g. "truncated file: eof = ...") into `buffer`,
 * which must hold 1024 bytes, then clears the stack. Empty when there is none.
 */
static inline void shim_take_error_message(char *buffer) {
    buffer[0] = '\0';
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, shim_copy_error_description, buffer);
    H5Eclear2(H5E_DEFAULT);
}

/* 1 when `path` starts with an HDF5 signature, 0 when not, negative on error. */
static inline htri_t shim_is_hdf5(const char *path) {
#if H5_VERSION_GE(1, 12, 0)
    return H5Fis_accessible(path, H5P_DEFAULT);
#else
    return H5Fis_hdf5(path);
#endif
}

/* Number of attributes attached to an object, or negative on error. */
static inline hssize_t shim_attribute_count(hid_t object) {
#if H5_VERSION_GE(1, 12, 0)
    H5O_info2_t info;
    if (H5Oget_info3(object, &info, H5O_INFO_NUM_ATTRS) < 0) return -1;
#else
    H5O_info_t info;
    if (H5Oget_info2(object, &info, H5O_INFO_NUM_ATTRS) < 0) return -1;
#endif
    return (hssize_t)info.num_attrs;
}

/* Frees the variable-length data libhdf5 allocated while reading into `buffer`. */
static inline herr_t shim_reclaim_variable_length(hid_t type, hid_t space, hid_t transfer, void *buffer) {
#if H5_VERSION_GE(1, 12, 0)
    return H5Treclaim(type, space, transfer, buffer);
#else
    return H5Dvlen_reclaim(type, space, transfer, buffer);
#endif
}

/* Asks libhdf5 not to fail when the file system does not support file locks. */
static inline herr_t shim_allow_unsupported_file_locking(hid_t file_access) {
#if H5_VERSION_GE(1, 10, 7)
    return H5Pset_file_locking(file_access, 1, 1);
#else
    (void)file_access;
    return 0;
#endif
}

/* The largest single variable-length string a read may allocate: 64 MiB. */
static inline size_t shim_max_string_bytes(void) { return (size_t)64 << 20; }

static inline void *shim_bounded_allocate(size_t size, void *info) {
    (void)info;
    if (size > shim_max_string_bytes()) return NULL;
    return malloc(size == 0 ? 1 : size);
}

static inline void shim_bounded_free(void *memory, void *info) {
    (void)info;
    free(memory);
}

/*
 * A dataset-transfer property list whose variable-length allocations fail
 * (and so fail the read) above shim_max_string_bytes(), instead of trusting a
 * length read from a hostile file. Close it with H5Pclose.
 */
static inline hid_t shim_create_bounded_transfer(void) {
    hid_t transfer = H5Pcreate(H5P_DATASET_XFER);
    if (transfer < 0) return transfer;
    if (H5Pset_vlen_mem_manager(transfer, shim_bounded_allocate, NULL, shim_bounded_free, NULL) < 0) {
        H5Pclose(transfer);
        return -1;
    }
    return transfer;
}

#include "probe.h"

#endif /* CHDF5_SHIM_H */
