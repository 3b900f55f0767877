import Foundation

/// `transform(i)` for every i in 0..<count on up to `threads` threads, in index order: each
/// thread fills every `threads`-th slot, so the answer does not depend on the number of threads.
public enum ParallelMap {
    /// The default number of threads: every core the process may use.
    public static var cores: Int { ProcessInfo.processInfo.activeProcessorCount }

    static func map<Answer: Sendable>(_ count: Int, threads: Int, _ transform: @Sendable (Int) -> Answer) -> [Answer] {
        let workers = max(1, min(threads, count))
        guard workers > 1 else { return (0..<count).map(transform) }
        let slots = Slots<Answer>(count: count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for index in stride(from: worker, to: count, by: workers) { slots.store(transform(index), at: index) }
        }
        return slots.answers
    }
}

/// One slot per index, each written by exactly one thread (no two threads share an index);
/// raw memory, since concurrent writes to one array would break Swift's exclusive access.
private final class Slots<Answer>: @unchecked Sendable {
    private let storage: UnsafeMutableBufferPointer<Answer?>

    init(count: Int) {
        storage = .allocate(capacity: count)
        storage.initialize(repeating: nil)
    }

    deinit {
        storage.deinitialize()
        storage.deallocate()
    }

    func store(_ answer: Answer, at index: Int) { storage[index] = answer }

    var answers: [Answer] { storage.map { $0! } }
}
