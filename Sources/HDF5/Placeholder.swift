// Placeholder until the HDF5 module lands.
