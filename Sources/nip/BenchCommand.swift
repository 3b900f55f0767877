import ArgumentParser
import Foundation
import MallocInterposerSwift
import NewIPAnalysis
import NewIPJSON
import NewIPWire

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Micro-benchmarks of the wire codecs, the data plane and source verification (build with -c release).",
        discussion: """
        Each benchmark runs its operation over a fixed set of inputs in rounds of about 50 ms; ns/op is the \
        median round, "best" the fastest, "cpu ns/op" the median round's CPU time of the measuring thread \
        (what other processes' time-sharing does not inflate). Heap allocations per operation are counted by interposing malloc \
        during one extra round. Compact parse uses the ok-cases of the interoperability parse vectors \
        (the project's copy in Tests/Vectors, else ../shared/vectors, or --vectors), generated headers otherwise. \
        scripts/bench.py records several runs of --json with the commit, the machine and its load for BENCHMARKS.md.
        """)

    @Option(help: "Folder of the interoperability vectors (default: Tests/Vectors when run from the package, else ../shared/vectors).")
    var vectors: String?

    @Option(help: "Rounds per benchmark.")
    var rounds = 9

    @Option(help: "Only benchmarks whose name contains this.")
    var filter: String?

    @Flag(help: "One JSON object per benchmark instead of a table.")
    var json = false

    mutating func validate() throws {
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
    }

    func run() throws {
        guard AllocationCounter.countsAllocations else {
            throw ValidationError("malloc interposition is not active in this build, so allocations cannot be counted")
        }
        let folder = vectors ?? ["Tests/Vectors", "../shared/vectors"].first { FileManager.default.fileExists(atPath: $0) } ?? "Tests/Vectors"
        let inputs = BenchInputs(vectorsFolder: folder)
        var results: [BenchResult] = []
        for benchmark in CodecBenchmarks.all(inputs) + DataPlaneBenchmarks.all() + SecurityBenchmarks.all() + RoutingBenchmarks.all() where filter.map({ benchmark.name.contains($0) }) ?? true {
            results.append(benchmark.measure(rounds: rounds))
        }
        if json {
            for result in results {
                print(JSONValue.object([
                    ("name", .string(result.name)), ("ns_per_op", .decimal(result.nsPerOp, digits: 3)),
                    ("best_ns_per_op", .decimal(result.bestNsPerOp, digits: 3)),
                    ("cpu_ns_per_op", .decimal(result.cpuNsPerOp, digits: 3)), ("ops", .int(result.ops)),
                    ("mallocs_per_op", .decimal(result.mallocsPerOp, digits: 3)), ("inputs", .string(result.inputs)),
                ]).serialized)
            }
        } else {
            let rows = results.map { [$0.name, String(format: "%.2f", $0.nsPerOp), String(format: "%.2f", $0.bestNsPerOp),
                                      String(format: "%.2f", $0.cpuNsPerOp), "\($0.ops)", String(format: "%.3f", $0.mallocsPerOp), $0.inputs] }
            print(formatTable(header: ["benchmark", "ns/op", "best", "cpu ns/op", "ops", "mallocs/op", "inputs"], rows: rows), terminator: "")
        }
    }
}

struct BenchResult {
    var name: String
    var nsPerOp: Double
    var bestNsPerOp: Double
    /// The median round's CPU time of the measuring thread per operation: what time-sharing with
    /// other processes does not inflate (a busy sibling hyperthread still does).
    var cpuNsPerOp: Double
    var ops: Int
    var mallocsPerOp: Double
    var inputs: String
}

/// An operation measured by `Benchmark`: `run(i)` works on input `i % count` and returns a value
/// folded into a sink so the optimiser cannot drop the work. A protocol rather than a closure so
/// the loop is specialised and the operation inlined, as it would be in a caller.
protocol BenchOperation {
    var count: Int { get }
    mutating func run(_ index: Int) -> Int
}

struct Benchmark {
    var name: String
    var inputs: String
    var measure: (Int) -> BenchResult

    init<Operation: BenchOperation>(name: String, inputs: String, _ operation: Operation) {
        self.name = name
        self.inputs = inputs
        self.measure = { rounds in Self.measure(operation, name: name, inputs: inputs, rounds: rounds) }
    }

    func measure(rounds: Int) -> BenchResult { measure(rounds) }

    static func measure<Operation: BenchOperation>(_ operation: Operation, name: String, inputs: String, rounds: Int) -> BenchResult {
        var operation = operation
        var sink = 0
        // Calibrate: grow the batch until one batch takes at least 50 ms.
        var batch = max(operation.count, 1000)
        while true {
            let start = DispatchTime.now().uptimeNanoseconds
            sink &+= loop(&operation, batch)
            let elapsed = DispatchTime.now().uptimeNanoseconds - start
            if elapsed >= 50_000_000 || batch >= 1 << 30 { break }
            batch *= elapsed < 5_000_000 ? 8 : 2
        }
        var perOp: [Double] = []
        var cpuPerOp: [Double] = []
        for _ in 0..<rounds {
            let start = DispatchTime.now().uptimeNanoseconds
            let cpuStart = threadCPUNanoseconds()
            sink &+= loop(&operation, batch)
            cpuPerOp.append(Double(threadCPUNanoseconds() - cpuStart) / Double(batch))
            perOp.append(Double(DispatchTime.now().uptimeNanoseconds - start) / Double(batch))
        }
        MallocInterposerSwift.reset()
        MallocInterposerSwift.hook()
        sink &+= loop(&operation, batch)
        MallocInterposerSwift.unhook()
        let mallocs = MallocInterposerSwift.getStatistics().mallocCount
        benchSink = sink
        perOp.sort()
        cpuPerOp.sort()
        return BenchResult(name: name, nsPerOp: perOp[perOp.count / 2], bestNsPerOp: perOp[0], cpuNsPerOp: cpuPerOp[cpuPerOp.count / 2],
                           ops: batch * (rounds + 1), mallocsPerOp: Double(mallocs) / Double(batch), inputs: inputs)
    }

    @inline(never)
    static func loop<Operation: BenchOperation>(_ operation: inout Operation, _ operations: Int) -> Int {
        var accumulator = 0
        var index = 0
        let count = operation.count
        for _ in 0..<operations {
            accumulator &+= operation.run(index)
            index += 1
            if index == count { index = 0 }
        }
        return accumulator
    }
}

nonisolated(unsafe) var benchSink = 0

/// CPU time the calling thread has used, in nanoseconds (`CLOCK_THREAD_CPUTIME_ID`).
func threadCPUNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

enum AllocationCounter {
    /// Whether the interposer sees heap allocations: one deliberate allocation must be counted,
    /// or a zero in the mallocs column would mean nothing.
    static var countsAllocations: Bool {
        MallocInterposerSwift.reset()
        MallocInterposerSwift.hook()
        let probe = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 8)
        MallocInterposerSwift.unhook()
        probe.deallocate()
        return MallocInterposerSwift.getStatistics().mallocCount >= 1
    }
}
