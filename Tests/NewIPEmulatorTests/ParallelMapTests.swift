import Foundation
import NewIPTopology
import XCTest

/// Both forms of `ParallelMap` answer in index order whatever the number of threads; the
/// throwing one starts no job after a failure and throws the first error by index.
final class ParallelMapTests: XCTestCase {
    struct Failure: Error, Equatable { let index: Int }

    /// The indices the jobs were called with, from any thread.
    final class Calls: @unchecked Sendable {
        private let lock = NSLock()
        private var indices: [Int] = []
        func record(_ index: Int) { lock.withLock { indices.append(index) } }
        var sorted: [Int] { lock.withLock { indices.sorted() } }
    }

    func testMapAnswersInIndexOrderOnOneAndThreeThreads() {
        for threads in [1, 3] {
            XCTAssertEqual(ParallelMap.map(7, threads: threads) { $0 * $0 }, [0, 1, 4, 9, 16, 25, 36], "\(threads) threads")
        }
    }

    func testJobsAnswerInIndexOrderOnOneAndThreeThreads() throws {
        for threads in [1, 3] {
            let calls = Calls()
            // The first jobs take longest, so on three threads later ones finish first.
            let answers = try ParallelMap.jobs(7, threads: threads) { index in
                usleep(UInt32(7 - index) * 2_000)
                calls.record(index)
                return "job \(index)"
            }
            XCTAssertEqual(answers, (0..<7).map { "job \($0)" }, "\(threads) threads")
            XCTAssertEqual(calls.sorted, Array(0..<7), "\(threads) threads")
        }
        XCTAssertEqual(try ParallelMap.jobs(0, threads: 3) { $0 }, [])
    }

    /// Jobs 2 and 4 fail. On one thread job 2's failure ends the work: 3 and later never run.
    /// On three, 0, 1 and 2 start together and 3 or 4 may start before 2 fails; either way the
    /// error is job 2's.
    func testTheFirstErrorByIndexIsThrownAndNoJobStartsAfterIt() {
        for threads in [1, 3] {
            let calls = Calls()
            XCTAssertThrowsError(try ParallelMap.jobs(6, threads: threads) { index in
                calls.record(index)
                if index == 2 || index == 4 { throw Failure(index: index) }
                return index
            }) { error in
                XCTAssertEqual(error as? Failure, Failure(index: 2), "\(threads) threads")
            }
            if threads == 1 { XCTAssertEqual(calls.sorted, [0, 1, 2]) }
        }
    }
}
