import Foundation

/// Work for every index in 0..<count on up to `threads` threads, the answers in index order, so
/// nothing made from them depends on the number of threads.
public enum ParallelMap {
    /// The default number of threads: every core the process may use.
    public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// `transform(i)` for every i: each thread fills every `threads`-th slot, with no lock
    /// between them (for many small tasks of like cost).
    public static func map<Answer: Sendable>(_ count: Int, threads: Int, _ transform: @Sendable (Int) -> Answer) -> [Answer] {
        let slots = Slots<Answer>(count: count)
        onWorkers(count, threads: threads) { worker, workers in
            for index in stride(from: worker, to: count, by: workers) { slots.store(transform(index), at: index) }
        }
        return slots.filled
    }

    /// `job(i)` for every i: each thread takes the next index until none is left (for few jobs
    /// of uneven cost, at most `threads` of them under way at once). Once a job failed no new
    /// one starts, and the first error by index is thrown when the running ones are done.
    public static func jobs<Answer: Sendable>(_ count: Int, threads: Int, _ job: @Sendable (Int) throws -> Answer) throws -> [Answer] {
        let slots = Slots<Result<Answer, any Error>>(count: count)
        let queue = JobQueue(count: count)
        onWorkers(count, threads: threads) { _, _ in
            while let index = queue.take() {
                let result = Result { try job(index) }
                if case .failure = result { queue.fail() }
                slots.store(result, at: index)
            }
        }
        // Indices are taken in order and every taken job finishes: the filled slots are a
        // prefix, holding every failure.
        return try slots.filled.map { try $0.get() }
    }

    /// Runs `body(worker, workers)` on each of up to `threads` threads (no more than `count`),
    /// on the calling thread when there is one.
    private static func onWorkers(_ count: Int, threads: Int, _ body: @Sendable (_ worker: Int, _ workers: Int) -> Void) {
        let workers = max(1, min(threads, count))
        if workers == 1 {
            body(0, 1)
        } else {
            DispatchQueue.concurrentPerform(iterations: workers) { body($0, workers) }
        }
    }
}

/// One slot per index, each written by exactly one thread (no two threads share an index);
/// raw memory, since concurrent writes to one array would break Swift's exclusive access.
private final class Slots<Value>: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<Value?>

    init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil)
    }

    deinit {
        storage.deinitialize()
        storage.deallocate()
    }

    func store(_ value: Value, at index: Int) { storage[index] = value }

    /// The values up to the first empty slot, read once the threads are done.
    var filled: [Value] { storage.prefix { $0 != nil }.map { $0! } }
}

/// The next index to take, behind a lock; none after a failure.
private final class JobQueue: @unchecked Sendable {
    private let lock = NSLock()
    private let count: Int
    private var next = 0
    private var failed = false

    init(count: Int) { self.count = count }

    func take() -> Int? {
        lock.withLock {
            guard !failed, next < count else { return nil }
            defer { next += 1 }
            return next
        }
    }

    func fail() { lock.withLock { failed = true } }
}
