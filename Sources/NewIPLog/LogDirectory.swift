import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A log on disk, laid out as tlog-tiles serves it: `checkpoint`, `tile/<L>/<N>[.p/<W>]`,
/// `tile/entries/<N>[.p/<W>]`, plus the signing key `log.key` (mode 0600) and `log.vkey`.
///
/// Durability: an append writes its entry bundles and tiles (each fsynced, renamed, folders
/// fsynced) before the checkpoint, which is the commit point. After a crash the log reopens at
/// its last checkpoint; entries written past it were never acknowledged and are overwritten.
public final class LogWriter {
    public static let checkpointFile = "checkpoint"
    public static let keyFile = "log.key"
    public static let verifierFile = "log.vkey"
    static let lockFile = ".lock"

    public let directory: String
    public let signer: NoteSigner
    public private(set) var checkpoint: Checkpoint
    /// The signed note of `checkpoint`, as published.
    public private(set) var signedCheckpoint: String
    /// Per tile level, the hashes of its rightmost, incomplete tile.
    private var edges: [[LogHash]]
    /// The entries of the rightmost, incomplete bundle.
    private var bundle: [Data]
    private let lock: Int32
    /// Set when an append failed part-way: memory no longer matches the disk, so reopen.
    private var broken = false

    public var size: Int { checkpoint.size }

    /// Creates an empty log in `directory` (made if missing; refused if it holds anything).
    public static func create(directory: String, origin: String) throws -> LogWriter {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw LogError.refused("\(directory) exists and is not a folder") }
            if FileManager.default.fileExists(atPath: directory + "/" + checkpointFile) || FileManager.default.fileExists(atPath: directory + "/" + keyFile) {
                throw LogError.refused("\(directory) already holds a log")
            }
            let contents = try FileManager.default.contentsOfDirectory(atPath: directory)
            guard contents.isEmpty else { throw LogError.refused("\(directory) is not empty (\(contents.sorted().prefix(3).joined(separator: ", ")))") }
        }
        let signer = try NoteSigner(name: origin, type: .ed25519)
        var files = DurableWriter(root: directory)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw LogError.io(directory, "cannot create folder")
        }
        try files.write(Data((signer.text + "\n").utf8), to: keyFile, mode: 0o600)
        try files.write(Data((signer.verifier.text + "\n").utf8), to: verifierFile)
        let empty = Checkpoint(origin: origin, size: 0, root: .empty)
        try files.write(Data(try sign(empty, signer).utf8), to: checkpointFile)
        try files.sync()
        return try LogWriter(directory: directory)
    }

    /// Opens an existing log for appending, checking that its tiles and partial bundle agree with
    /// its checkpoint. Only one writer at a time: a second gets an error naming the lock.
    public init(directory: String) throws {
        self.directory = directory
        guard FileManager.default.fileExists(atPath: directory + "/" + Self.checkpointFile) else {
            throw LogError.refused("\(directory) holds no log (no \(Self.checkpointFile))")
        }
        lock = open(directory + "/" + Self.lockFile, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard lock >= 0 else { throw DurableWriter.failure(directory + "/" + Self.lockFile, "cannot open") }
        guard flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            close(lock)
            throw LogError.refused("\(directory) is being written by another process (it holds \(directory)/\(Self.lockFile))")
        }
        do {
            let keyPath = directory + "/" + Self.keyFile
            let keyText = String(decoding: try readFile(keyPath), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            signer = try NoteSigner(parsing: keyText)
            // The reader checks the checkpoint's signature and falls back from a partial tile to
            // the full one, as after a crash between writing a full tile and its checkpoint.
            let reader = try LogReader(source: DirectorySource(directory), key: signer.verifier)
            checkpoint = reader.checkpoint
            signedCheckpoint = reader.signed.note.serialized
            let size = checkpoint.size
            var edges: [[LogHash]] = []
            var level = 0
            while Tiles.width(level: level, index: 0, size: size) > 0 {
                let index = (size >> (level * Tiles.height)) / Tiles.width
                edges.append(Tiles.width(level: level, index: index, size: size) == 0 ? [] : try reader.tile(level: level, index: index))
                level += 1
            }
            self.edges = edges
            bundle = size % Tiles.width == 0 ? [] : try reader.bundle(size / Tiles.width)
            if let wrong = bundle.indices.first(where: { LogHash.leaf(bundle[$0]) != edges[0][$0] }) {
                let tile = Tiles.Name(level: 0, index: size / Tiles.width, width: bundle.count)
                throw LogError.mismatch("\(directory)/\(tile.path): hash \(wrong) (byte offset \(wrong * LogHash.byteCount)) is not the hash of entry \(size / Tiles.width * Tiles.width + wrong)")
            }
            try reader.verifyRoot()
        } catch {
            close(lock)
            throw error
        }
    }

    deinit { close(lock) }

    static func sign(_ checkpoint: Checkpoint, _ signer: NoteSigner) throws -> String {
        Note(text: checkpoint.body, signatures: [try signer.sign(checkpoint.body)]).serialized
    }

    /// Subtree hashes of the current tree that the rightmost tiles hold: enough for its root.
    private var edgeHashes: TileHashes {
        TileHashes { [edges, size = checkpoint.size] level, index in
            guard level < edges.count, index == (size >> (level * Tiles.height)) / Tiles.width else {
                throw LogError.missing("tile \(level)/\(index) (not an edge of the tree of size \(size))")
            }
            return edges[level]
        }
    }

    /// Appends `entries`, writes their bundles and tiles, then publishes a signed checkpoint;
    /// returns the indices given. When this returns, the entries are durable.
    @discardableResult
    public func append(_ entries: [Data]) throws -> Range<Int> {
        guard !broken else { throw LogError.refused("\(directory): an earlier append failed; reopen the log") }
        if let long = entries.firstIndex(where: { $0.count > Tiles.maxEntryBytes }) {
            throw LogError.refused("entry \(long) of the batch has \(entries[long].count) bytes, at most \(Tiles.maxEntryBytes) fit a bundle")
        }
        let start = checkpoint.size
        guard !entries.isEmpty else { return start ..< start }
        broken = true
        var files = DurableWriter(root: directory)
        var completed: [Tiles.Name] = []
        var size = start
        for entry in entries {
            size += 1
            bundle.append(entry)
            if bundle.count == Tiles.width {
                let name = Tiles.Name(level: nil, index: size / Tiles.width - 1, width: Tiles.width)
                try files.write(Tiles.encodeBundle(bundle), to: name.path)
                completed.append(name)
                bundle = []
            }
            var hash = LogHash.leaf(entry)
            var level = 0
            while true {
                if level == edges.count { edges.append([]) }
                edges[level].append(hash)
                guard edges[level].count == Tiles.width else { break }
                let name = Tiles.Name(level: level, index: (size >> (level * Tiles.height)) / Tiles.width - 1, width: Tiles.width)
                try files.write(Tiles.encodeHashes(edges[level]), to: name.path)
                completed.append(name)
                hash = Tiles.completeHash(edges[level][...])
                edges[level] = []
                level += 1
            }
        }
        for (level, hashes) in edges.enumerated() where !hashes.isEmpty {
            let name = Tiles.Name(level: level, index: (size >> (level * Tiles.height)) / Tiles.width, width: hashes.count)
            try files.write(Tiles.encodeHashes(hashes), to: name.path)
        }
        if !bundle.isEmpty {
            try files.write(Tiles.encodeBundle(bundle), to: Tiles.Name(level: nil, index: size / Tiles.width, width: bundle.count).path)
        }
        try files.sync()
        let next = Checkpoint(origin: checkpoint.origin, size: size, root: .empty)
        checkpoint = next  // edgeHashes reads the new size
        checkpoint.root = try Merkle.root(size: size, edgeHashes)
        let note = try Self.sign(checkpoint, signer)
        try files.write(Data(note.utf8), to: Self.checkpointFile)
        try files.sync()
        signedCheckpoint = note
        broken = false
        // Partial versions of tiles that are now full are no longer needed (tlog-tiles allows
        // deleting them); clients fall back to the full tile.
        for name in completed {
            try? FileManager.default.removeItem(atPath: directory + "/" + name.path + ".p")
        }
        return start ..< size
    }
}
