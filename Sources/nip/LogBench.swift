import ArgumentParser
import Foundation
import NewIPJSON
import NewIPLog

struct LogBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the log: durable appends per second, append-to-checkpoint latency, proof sizes (build with -c release).",
        discussion: """
        Every append here is durable: bundles and tiles fsynced and renamed, folders fsynced, then \
        the signed checkpoint likewise. Latency is the time from handing a batch to the log until \
        the checkpoint that includes it is on disk.
        """)

    @Option(help: "Entries appended for the throughput run.")
    var entries = 100_000

    @Option(help: "Entries per checkpoint in the throughput run.")
    var batch = 256

    @Option(help: "Bytes per entry.")
    var entryBytes = 128

    @Option(help: "Single-entry appends timed for the unbatched latency.")
    var singles = 200

    @Option(help: "Size of the log whose proofs are measured.")
    var proofEntries = 1_000_000

    @Option(help: "Folder for the scratch logs (removed afterwards); default: the temporary folder.")
    var scratch: String?

    @Flag(help: "One JSON object per measurement instead of text.")
    var json = false

    mutating func validate() throws {
        guard entries >= batch, batch >= 1, entryBytes >= 1, entryBytes <= Tiles.maxEntryBytes, singles >= 1, proofEntries >= 2 else {
            throw ValidationError("need entries ≥ batch ≥ 1, 1 ≤ entry-bytes ≤ \(Tiles.maxEntryBytes), singles ≥ 1, proof-entries ≥ 2")
        }
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    func entry(_ i: Int) -> Data {
        var data = Data("entry \(i) ".utf8)
        data.append(Data(repeating: UInt8(ascii: "x"), count: max(0, entryBytes - data.count)))
        return data.prefix(entryBytes)
    }

    func run() throws {
        let base = (scratch ?? NSTemporaryDirectory()) + "/nip-log-bench-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: base) }
        var results: [[(String, JSONValue)]] = []

        // Durable appends in batches.
        let log = try LogWriter.create(directory: base + "/throughput", origin: "bench.example/log")
        var latencies: [Double] = []
        let started = Self.now()
        for start in stride(from: 0, to: entries, by: batch) {
            let chunk = (start ..< min(entries, start + batch)).map(entry)
            let t0 = Self.now()
            try log.append(chunk)
            latencies.append(Self.now() - t0)
        }
        let seconds = Self.now() - started
        latencies.sort()
        results.append([("name", .string("log-append-durable")), ("entries", .int(entries)), ("batch", .int(batch)), ("entry_bytes", .int(entryBytes)),
                        ("seconds", decimal(seconds)), ("entries_per_s", decimal(Double(entries) / seconds, 0)),
                        ("checkpoints_per_s", decimal(Double(latencies.count) / seconds, 1)),
                        ("latency_p50_ms", decimal(Self.percentile(latencies, 0.5) * 1e3)), ("latency_p99_ms", decimal(Self.percentile(latencies, 0.99) * 1e3)),
                        ("latency_max_ms", decimal(latencies.last! * 1e3))])

        // One entry per checkpoint: the latency floor.
        var single: [Double] = []
        for i in 0 ..< singles {
            let t0 = Self.now()
            try log.append([entry(entries + i)])
            single.append(Self.now() - t0)
        }
        single.sort()
        results.append([("name", .string("log-append-single")), ("appends", .int(singles)), ("batch", .int(1)),
                        ("latency_p50_ms", decimal(Self.percentile(single, 0.5) * 1e3)), ("latency_p99_ms", decimal(Self.percentile(single, 0.99) * 1e3)),
                        ("latency_max_ms", decimal(single.last! * 1e3))])

        // Proof sizes in a log of proofEntries, read back through the tiles like any client.
        let big = try LogWriter.create(directory: base + "/proofs", origin: "bench.example/big")
        let buildStarted = Self.now()
        for start in stride(from: 0, to: proofEntries, by: 1 << 16) {
            try big.append((start ..< min(proofEntries, start + (1 << 16))).map(entry))
        }
        let buildSeconds = Self.now() - buildStarted
        let reader = try LogReader(source: DirectorySource(base + "/proofs"), key: big.signer.verifier)
        var longest = 0, proveTimes: [Double] = []
        for index in [0, proofEntries / 2, proofEntries - 1] {
            let t0 = Self.now()
            let (_, proof) = try reader.prove(entry: index)
            proveTimes.append(Self.now() - t0)
            longest = max(longest, proof.hashes.count)
        }
        let consistency = try reader.consistency(old: proofEntries / 2 + 1, new: proofEntries)
        results.append([("name", .string("log-proof-size")), ("entries", .int(proofEntries)), ("inclusion_hashes", .int(longest)),
                        ("inclusion_bytes", .int(longest * LogHash.byteCount)), ("consistency_hashes", .int(consistency.hashes.count)),
                        ("consistency_bytes", .int(consistency.hashes.count * LogHash.byteCount)),
                        ("prove_ms_max", decimal(proveTimes.max()! * 1e3)), ("build_seconds", decimal(buildSeconds)),
                        ("build_entries_per_s", decimal(Double(proofEntries) / buildSeconds, 0))])

        for result in results {
            if json {
                print(JSONValue.object(result).serialized)
            } else {
                print(result.map { "\($0.0)=\($0.1.serialized.replacingOccurrences(of: "\"", with: ""))" }.joined(separator: " "))
            }
        }
    }

    func decimal(_ value: Double, _ digits: Int = 3) -> JSONValue { .decimal(value, digits: digits) }
}
