// Shim over Open MPI (Debian: libopenmpi-dev) for KerasDistributed. Open MPI's handles
// (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM, ...) are macros taking the address of a global object,
// which Swift cannot import; the functions below return them.
#ifndef SWIFTKERAS_CMPI_SHIM_H
#define SWIFTKERAS_CMPI_SHIM_H
#include <mpi.h>

/// MPI_COMM_WORLD: every process of the job.
static inline MPI_Comm skmpi_comm_world(void) { return MPI_COMM_WORLD; }
/// MPI_BYTE: raw bytes.
static inline MPI_Datatype skmpi_byte(void) { return MPI_BYTE; }
/// MPI_FLOAT: 32-bit floats.
static inline MPI_Datatype skmpi_float(void) { return MPI_FLOAT; }
/// MPI_DOUBLE: 64-bit floats.
static inline MPI_Datatype skmpi_double(void) { return MPI_DOUBLE; }
/// MPI_INT: C ints.
static inline MPI_Datatype skmpi_int(void) { return MPI_INT; }
/// MPI_UINT64_T: 64-bit unsigned integers.
static inline MPI_Datatype skmpi_uint64(void) { return MPI_UINT64_T; }
/// MPI_SUM.
static inline MPI_Op skmpi_sum(void) { return MPI_SUM; }
/// MPI_MAX.
static inline MPI_Op skmpi_max(void) { return MPI_MAX; }
/// MPI_REQUEST_NULL: a request that is complete.
static inline MPI_Request skmpi_request_null(void) { return MPI_REQUEST_NULL; }
/// MPI_ANY_SOURCE, for receiving from any process.
static inline int skmpi_any_source(void) { return MPI_ANY_SOURCE; }
/// The sender of a received message.
static inline int skmpi_status_source(const MPI_Status *status) { return status->MPI_SOURCE; }
/// MPI_STATUS_IGNORE.
static inline MPI_Status *skmpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
/// MPI_ERRORS_RETURN: errors come back as return codes instead of aborting.
static inline MPI_Errhandler skmpi_errors_return(void) { return MPI_ERRORS_RETURN; }
/// MPI_SUCCESS.
static inline int skmpi_success(void) { return MPI_SUCCESS; }
/// MPI_IN_PLACE, for in-place reductions.
static inline void *skmpi_in_place(void) { return MPI_IN_PLACE; }
#endif
