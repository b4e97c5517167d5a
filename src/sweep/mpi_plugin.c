/* mpi_plugin.c -- the MPI part of sweeps, built as its own small shared library
 * (libaifsim-mpi.so) that run.c opens with dlopen only when the process runs under
 * mpirun with more than one rank.  Linking libmpi into libaifsim would load Open MPI
 * and the libraries it pulls in for every run of the command line (about 1.4 ms each,
 * docs/PERFORMANCE.md); here only a sweep on MPI pays for it.
 *
 * Invariants: only the thread that called init makes MPI calls (MPI_THREAD_FUNNELED);
 * every call is collective over MPI_COMM_WORLD with rank 0 as the root; the plugin
 * calls nothing of libaifsim, so it needs none of its symbols. */
#include "sweep_int.h"

#include <mpi.h>
#include <stdlib.h>

static int plugin_init(int *rank, int *size)
{
    int provided, inited = 0;
    MPI_Initialized(&inited);
    if (!inited && MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return 1;
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    return 0;
}

static int plugin_bcast(void *buf, long n)
{
    return MPI_Bcast(buf, (int)n, MPI_BYTE, 0, MPI_COMM_WORLD) != MPI_SUCCESS;
}

static int plugin_gather(const void *buf, long n, char **all, long *lens)
{
    int rank, size;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    int mine = (int)n, *counts = NULL, *displs = NULL;
    *all = NULL;
    if (rank == 0) {
        counts = calloc((size_t)size, sizeof *counts);
        displs = calloc((size_t)size, sizeof *displs);
        if (!counts || !displs)
            MPI_Abort(MPI_COMM_WORLD, 4);   /* the others wait on this gather: out of memory ends them all */
    }
    if (MPI_Gather(&mine, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
        return 1;
    long total = 0;
    if (rank == 0) {
        for (int r = 0; r < size; r++) {
            displs[r] = (int)total;
            lens[r] = counts[r];
            total += counts[r];
        }
        if (!(*all = malloc(total ? (size_t)total : 1)))
            MPI_Abort(MPI_COMM_WORLD, 4);
    }
    int rc = MPI_Gatherv(buf, mine, MPI_BYTE, *all, counts, displs, MPI_BYTE, 0, MPI_COMM_WORLD);
    free(counts);
    free(displs);
    return rc != MPI_SUCCESS;
}

static int plugin_finalize(void) { return MPI_Finalize() != MPI_SUCCESS; }

static const sweep_mpi_api api = {SWEEP_MPI_API_VERSION, plugin_init, plugin_bcast, plugin_gather, plugin_finalize};

const sweep_mpi_api *aif_sweep_mpi_plugin(void);
const sweep_mpi_api *aif_sweep_mpi_plugin(void) { return &api; }
