import Foundation

/// Independent jobs (one emulation each) on several threads: each thread takes the next index
/// until none is left, and the answers come back in index order, so what is written from them
/// does not depend on the number of threads. At most `threads` jobs are in memory at once.
enum ParallelJobs {
    /// `job(i)` for every i in 0..<count; the first error by index is thrown once all stop.
    static func run<Answer: Sendable>(_ count: Int, threads: Int, _ job: @escaping @Sendable (Int) throws -> Answer) throws -> [Answer] {
        let shared = SharedAnswers<Answer>(count: count)
        let workers = max(1, min(threads, count))
        if workers == 1 {
            shared.work(job)
        } else {
            DispatchQueue.concurrentPerform(iterations: workers) { _ in shared.work(job) }
        }
        return try shared.answers()
    }
}

/// The next index to take and the answers so far, behind one lock.
private final class SharedAnswers<Answer: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var failed = false
    private var results: [Result<Answer, any Error>?]

    init(count: Int) { results = Array(repeating: nil, count: count) }

    /// Takes indices until none is left, or stops taking new ones once any job failed.
    func work(_ job: (Int) throws -> Answer) {
        while let index = take() {
            let result = Result { try job(index) }
            lock.withLock {
                results[index] = result
                if case .failure = result { failed = true }
            }
        }
    }

    private func take() -> Int? {
        lock.withLock {
            guard !failed, next < results.count else { return nil }
            defer { next += 1 }
            return next
        }
    }

    /// The answers in order, or the error of the first job (by index) that failed.
    func answers() throws -> [Answer] {
        var answers: [Answer] = []
        for result in results {
            guard let result else { break }
            answers.append(try result.get())
        }
        return answers
    }
}

/// A value made on one thread and taken, once, by whichever job needs it.
final class Handoff<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value?

    init(_ value: Value) { self.value = value }

    func take() -> Value? { lock.withLock { defer { value = nil }; return value } }
}

/// One progress bar for runs going on at once: the share done is the mean of the runs' shares.
final class SweepProgress: @unchecked Sendable {
    private let lock = NSLock()
    private let bar: ProgressBar
    private var fractions: [Double]

    init(_ bar: ProgressBar, runs: Int) {
        self.bar = bar
        fractions = Array(repeating: 0, count: runs)
    }

    func update(run: Int, fraction: Double) {
        lock.withLock {
            fractions[run] = fraction
            bar.update(fractions.reduce(0, +) / Double(fractions.count))
        }
    }

    func finish() { lock.withLock { bar.finish() } }
}
