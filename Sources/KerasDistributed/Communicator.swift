import CMPI
import Foundation

/// The processes of an MPI job (`MPI_COMM_WORLD`) and the collectives data-parallel training
/// uses. Every collective is started nonblocking and waited for with a deadline: a process
/// that died or hangs ends the whole job with an error (`MPI_Abort`) instead of a silent hang.
final class Communicator: @unchecked Sendable {
  /// This process's index in the job, 0 ..< ``size``.
  let rank: Int
  /// The number of processes in the job.
  let size: Int
  /// How long a collective may wait for the other processes before the job is ended.
  let timeout: Duration
  private let world: MPI_Comm

  /// Initializes MPI once per process (`MPI_Init`; at exit `MPI_Finalize`, or `MPI_Abort` when the
  /// process exits with an error) and reads rank and size.
  /// A program started without `mpirun` is a job of one process.
  init(timeout: Duration) throws {
    var initialized: Int32 = 0
    MPI_Initialized(&initialized)
    if initialized == 0 {
      guard MPI_Init(nil, nil) == skmpi_success() else {
        throw DistributedError.mpi("MPI_Init failed: is Open MPI installed (Scripts/setup.sh) and mpirun the launcher?")
      }
      // At exit, MPI_Finalize; but a process leaving with an error (a thrown error that ends
      // the program, `exit(1)`) ends the whole job instead, so the other ranks do not wait for it:
      // mpirun takes a finalized process for a finished one.
      on_exit(
        { status, _ in
          var finalized: Int32 = 0
          MPI_Finalized(&finalized)
          guard finalized == 0 else { return }
          if status == 0 {
            MPI_Finalize()
          } else {
            var rank: Int32 = 0
            MPI_Comm_rank(skmpi_comm_world(), &rank)
            FileHandle.standardError.write(
              Data("KerasDistributed: rank \(rank) exits with status \(status); ending the job\n".utf8))
            MPI_Abort(skmpi_comm_world(), status)
          }
        }, nil)
    }
    world = skmpi_comm_world()
    var rank: Int32 = 0
    var size: Int32 = 0
    MPI_Comm_rank(world, &rank)
    MPI_Comm_size(world, &size)
    self.rank = Int(rank)
    self.size = Int(size)
    self.timeout = timeout
  }

  /// Sums `buffer` over every process, in place; `what` names the operation in a timeout error.
  func allreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>, _ what: @autoclosure () -> String) {
    var request: MPI_Request? = skmpi_request_null()
    MPI_Iallreduce(
      skmpi_in_place(), buffer.baseAddress, Int32(buffer.count), skmpi_float(), skmpi_sum(), world, &request)
    wait(&request, what())
  }

  /// The largest of every process's `value`.
  func allreduceMax(_ value: Int32, _ what: @autoclosure () -> String) -> Int32 {
    var local = value
    var result: Int32 = 0
    var request: MPI_Request? = skmpi_request_null()
    MPI_Iallreduce(&local, &result, 1, skmpi_int(), skmpi_max(), world, &request)
    wait(&request, what())
    return result
  }

  /// Replaces `buffer` on every process with rank 0's.
  func broadcast(_ buffer: UnsafeMutableRawBufferPointer, _ what: @autoclosure () -> String) {
    var request: MPI_Request? = skmpi_request_null()
    MPI_Ibcast(buffer.baseAddress, Int32(buffer.count), skmpi_byte(), 0, world, &request)
    wait(&request, what())
  }

  /// Starts gathering every process's `local` floats, in rank order, into `gathered`;
  /// `counts[r]` is the number process `r` sends, `displacements[r]` where they go. The four
  /// buffers must stay as they are until ``wait(_:_:)`` returns.
  func startAllgather(
    _ local: UnsafeBufferPointer<Float>, into gathered: UnsafeMutableBufferPointer<Float>,
    counts: UnsafeBufferPointer<Int32>, displacements: UnsafeBufferPointer<Int32>
  ) -> MPI_Request? {
    var request: MPI_Request? = skmpi_request_null()
    MPI_Iallgatherv(
      local.baseAddress, Int32(local.count), skmpi_float(), gathered.baseAddress, counts.baseAddress,
      displacements.baseAddress, skmpi_float(), world, &request)
    return request
  }

  /// Starts summing `buffer` over every process in place. Finish with ``wait(_:_:)``.
  func startAllreduceSum(_ buffer: UnsafeMutableBufferPointer<Float>) -> MPI_Request? {
    var request: MPI_Request? = skmpi_request_null()
    MPI_Iallreduce(
      skmpi_in_place(), buffer.baseAddress, Int32(buffer.count), skmpi_float(), skmpi_sum(), world, &request)
    return request
  }

  /// Lets MPI progress `request` once, without waiting (a completed request becomes null).
  func poll(_ request: inout MPI_Request?) {
    var done: Int32 = 0
    MPI_Test(&request, &done, skmpi_status_ignore())
  }

  /// Waits for `request`, polling so that MPI makes progress: busily for the first fifty
  /// polls (an exchange between balanced ranks ends within them), then sleeping between polls,
  /// 10 µs doubling up to 200 µs, so a rank waiting for a slower one leaves it the core. Past
  /// ``timeout`` writes which operation of which rank waited in vain and ends the job on every process.
  func wait(_ request: inout MPI_Request?, _ what: @autoclosure () -> String) {
    let clock = ContinuousClock()
    let start = clock.now
    var done: Int32 = 0
    var polls = 0
    var pause: UInt32 = 10
    while true {
      MPI_Test(&request, &done, skmpi_status_ignore())
      if done != 0 { return }
      polls += 1
      guard polls > 50 else { continue }
      if clock.now - start > timeout {
        let silent = ranksNotWaiting(grace: .seconds(2))
        let culprits =
          silent.isEmpty
          ? "every rank answered: a mismatch of collectives?"
          : "\(silent.count == 1 ? "rank" : "ranks") \(silent.map(String.init).joined(separator: ", ")) "
            + "did not answer (dead or hung)"
        abort(
          "rank \(rank) of \(size) waited more than \(timeout) for \(what()): \(culprits) "
            + "(DataParallel(timeout:) sets the limit)")
      }
      usleep(pause)
      pause = min(2 * pause, 200)
    }
  }

  /// The ranks that do not say they are waiting too, once this one has waited past its timeout:
  /// every waiting rank sends the others a note, then listens for theirs for `grace`. A rank that
  /// died, hangs, or computes for longer than the timeout sends none.
  private func ranksNotWaiting(grace: Duration) -> [Int] {
    let tag: Int32 = 0x5EED
    Self.note.pointee = Int32(rank)
    for other in 0..<size where other != rank {
      var request: MPI_Request? = skmpi_request_null()
      MPI_Isend(Self.note, 1, skmpi_int(), Int32(other), tag, world, &request)
    }
    var answered: Set<Int> = [rank]
    let deadline = ContinuousClock.now + grace
    while ContinuousClock.now < deadline && answered.count < size {
      var arrived: Int32 = 0
      var status = MPI_Status()
      MPI_Iprobe(skmpi_any_source(), tag, world, &arrived, &status)
      guard arrived != 0 else {
        usleep(1000)
        continue
      }
      var sender: Int32 = 0
      MPI_Recv(&sender, 1, skmpi_int(), skmpi_status_source(&status), tag, world, skmpi_status_ignore())
      answered.insert(Int(sender))
    }
    return (0..<size).filter { !answered.contains($0) }
  }

  /// The note ``ranksNotWaiting(grace:)`` sends, in memory that outlives sends never received.
  private nonisolated(unsafe) static let note = UnsafeMutablePointer<Int32>.allocate(capacity: 1)

  /// Writes `message` to standard error and ends every process of the job (`MPI_Abort`).
  func abort(_ message: String) -> Never {
    FileHandle.standardError.write(Data("KerasDistributed: \(message)\n".utf8))
    MPI_Abort(world, 1)
    exit(1)
  }
}
