#include <hdf5/serial/hdf5.h>
