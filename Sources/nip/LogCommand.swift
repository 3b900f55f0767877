import ArgumentParser
import Foundation
import NewIPLog
import NewIPRuntime

struct LogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "log",
        abstract: "A transparency log: RFC 9162 Merkle tree, C2SP tiles and signed checkpoints (docs/log.md).",
        subcommands: [LogInit.self, LogAppend.self, LogCheckpointCommand.self, LogServe.self, LogVerify.self,
                      LogProve.self, LogConsistency.self, LogWitness.self, LogBench.self])
}

struct LogInit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create an empty log and its Ed25519 key; print the verifier key.")

    @Argument(help: "Folder for the log (created; must be empty or missing).")
    var directory: String

    @Option(help: "The log's origin, also its key name, e.g. example.com/log.")
    var origin: String

    func run() throws {
        print(try LogWriter.create(directory: directory, origin: origin).signer.verifier.text)
    }
}

struct LogAppend: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append entries and publish a checkpoint; print each entry's index once it is durable.",
        discussion: """
        Without --file, each line of standard input is an entry (without its newline). Lines are \
        committed as they arrive, at most --batch per checkpoint; an index is printed only after \
        the checkpoint that includes it is on disk.
        """)

    @Argument(help: "The log folder.")
    var directory: String

    @Option(name: .customLong("file"), help: "A file to append as one entry (repeatable).")
    var files: [String] = []

    @Option(help: "Most entries per checkpoint.")
    var batch = 1024

    mutating func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1") }
    }

    func run() throws {
        let log = try LogWriter(directory: directory)
        func commit(_ entries: [Data]) throws {
            for chunk in stride(from: 0, to: entries.count, by: batch) {
                let range = try log.append(Array(entries[chunk ..< min(entries.count, chunk + batch)]))
                FileHandle.standardOutput.write(Data(range.map { "\($0)\n" }.joined().utf8))
            }
        }
        if !files.isEmpty {
            try commit(try files.map { path in
                guard let data = FileManager.default.contents(atPath: path) else { throw ToolError("cannot read \(path)") }
                return data
            })
            return
        }
        var pending = Data()
        while true {
            let chunk = FileHandle.standardInput.availableData
            pending.append(chunk)
            var lines: [Data] = []
            while let newline = pending.firstIndex(of: 0x0A) {
                lines.append(pending[pending.startIndex ..< newline])
                pending = pending[(newline + 1)...]
            }
            if chunk.isEmpty, !pending.isEmpty {  // a last line without its newline
                lines.append(pending)
                pending = Data()
            }
            try commit(lines)
            if chunk.isEmpty { return }
        }
    }
}

/// Where a client reads a log, and what it requires of the checkpoint.
struct LogClientOptions: ParsableArguments {
    @Argument(help: "The log: a folder, or an HTTP prefix such as http://127.0.0.1:8080.")
    var log: String

    @Option(help: "The log's verifier key (name+hash+base64); for a folder, its log.vkey by default.")
    var key: String?

    @Option(name: .customLong("witness"), help: "A witness verifier key whose cosignature counts (repeatable).")
    var witnesses: [String] = []

    @Option(help: "How many of the --witness keys must have cosigned the checkpoint.")
    var minWitnesses = 0

    @Option(help: "Use this checkpoint file (say, one witnesses cosigned) instead of the log's own.")
    var checkpoint: String?

    func validate() throws {
        guard minWitnesses >= 0, minWitnesses <= witnesses.count else {
            throw ValidationError("--min-witnesses must be between 0 and the number of --witness keys (\(witnesses.count))")
        }
    }

    var isHTTP: Bool { log.hasPrefix("http://") || log.hasPrefix("https://") }

    func source() -> LogSource {
        isHTTP ? HTTPSource(prefix: log) : DirectorySource(log)
    }

    func reader() throws -> LogReader {
        let keyText: String
        if let key {
            keyText = key
        } else if isHTTP {
            throw ValidationError("--key is required for a log read over HTTP")
        } else {
            let path = log + "/" + LogWriter.verifierFile
            guard let data = FileManager.default.contents(atPath: path) else { throw ToolError("cannot read \(path); pass --key") }
            keyText = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let note = try checkpoint.map { path in
            guard let data = FileManager.default.contents(atPath: path) else { throw ToolError("cannot read \(path)") }
            return data
        }
        return try LogReader(source: source(), key: try NoteVerifier(parsing: keyText),
                             witnesses: try witnesses.map(NoteVerifier.init(parsing:)), minWitnesses: minWitnesses,
                             checkpointNote: note, checkpointSource: checkpoint)
    }
}

struct LogCheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "checkpoint", abstract: "Print the log's current checkpoint, verified.")

    @OptionGroup var client: LogClientOptions

    func run() throws {
        print(try client.reader().signed.note.serialized, terminator: "")
    }
}

struct LogVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Recompute the tree from the entries and check every tile and the signed checkpoint.")

    @OptionGroup var client: LogClientOptions

    func run() throws {
        let reader = try client.reader()
        try reader.verifyAll()
        let checkpoint = reader.checkpoint
        let witnesses = reader.signed.cosigners.isEmpty ? "" : ", cosigned by \(reader.signed.cosigners.joined(separator: ", "))"
        print("ok: \(checkpoint.origin) has \(checkpoint.size) entries, root \(checkpoint.root)\(witnesses)")
    }
}

struct LogProve: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prove", abstract: "Print the inclusion proof of an entry in the current checkpoint, verified.")

    @OptionGroup var client: LogClientOptions

    @Option(help: "The entry's index.")
    var entry: Int

    func run() throws {
        let (_, proof) = try client.reader().prove(entry: entry)
        print(proof.text, terminator: "")
        FileHandle.standardError.write(Data("verified: entry \(entry) is in the tree of size \(proof.size) with root \(proof.root) (\(proof.hashes.count * LogHash.byteCount) bytes of hashes)\n".utf8))
    }
}

struct LogConsistency: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consistency", abstract: "Print the consistency proof between two tree sizes (RFC 9162 §2.1.4), verified.")

    @OptionGroup var client: LogClientOptions

    @Argument(help: "The older tree size.")
    var oldSize: Int

    @Argument(help: "The newer tree size (at most the checkpoint's).")
    var newSize: Int

    func run() throws {
        let proof = try client.reader().consistency(old: oldSize, new: newSize)
        print(proof.text, terminator: "")
        FileHandle.standardError.write(Data("verified: the tree of size \(oldSize) is a prefix of the tree of size \(newSize)\n".utf8))
    }
}

struct LogWitness: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "witness",
        abstract: "Cosign the log's checkpoint if it is consistent with the last one this witness cosigned.",
        discussion: """
        The witness key lives in --state (created on first use, mode 0600; its verifier key is \
        printed on standard error). The cosigned checkpoint is printed and kept in --state as the \
        view to check the next one against. Pass --checkpoint to cosign a note that other \
        witnesses already cosigned: their lines are kept.
        """)

    @Option(help: "The log: a folder or an HTTP prefix.")
    var log: String

    @Option(help: "The log's verifier key.")
    var key: String

    @Option(help: "The witness's folder: its key and the checkpoints it cosigned.")
    var state: String

    @Option(help: "The witness's name, e.g. witness.example/w1.")
    var name: String

    @Option(help: "Cosign this checkpoint file instead of the log's current one.")
    var checkpoint: String?

    func run() throws {
        let store = try WitnessState(directory: state, name: name)
        if store.created { FileHandle.standardError.write(Data("witness key: \(store.witness.signer.verifier.text)\n".utf8)) }
        let client = try LogClientOptions.parse([log, "--key", key] + (checkpoint.map { ["--checkpoint", $0] } ?? []))
        let reader = try client.reader()
        let note = try store.witness.cosign(reader, previous: try store.lastCosigned(origin: reader.checkpoint.origin),
                                            time: UInt64(Date().timeIntervalSince1970))
        try store.record(note, origin: reader.checkpoint.origin)
        print(note.serialized, terminator: "")
    }
}
