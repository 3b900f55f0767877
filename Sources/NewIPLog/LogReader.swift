import Foundation

/// Where a reader gets the log's resources: a folder or an HTTP prefix. Paths are tlog-tiles
/// paths (`checkpoint`, `tile/...`); a resource that is not there throws `LogError.missing`.
public protocol LogSource: Sendable {
    /// Names the source in messages: a folder path or a URL prefix.
    var name: String { get }
    func read(_ path: String) throws -> Data
}

public struct DirectorySource: LogSource {
    public let name: String
    public init(_ directory: String) { name = directory }
    public func read(_ path: String) throws -> Data { try readFile(name + "/" + path) }
}

/// A client of a log that trusts nothing but its key: the checkpoint must verify, and every
/// hash it uses comes from tiles that must hash up to the checkpoint's root.
public final class LogReader {
    public let source: LogSource
    public let signed: SignedCheckpoint
    public var checkpoint: Checkpoint { signed.checkpoint }
    private var cache: [Tiles.Name: [LogHash]] = [:]

    /// Reads and verifies the source's checkpoint, or `checkpointNote` when given (say, one a
    /// witness cosigned) from `checkpointSource`.
    public init(source: LogSource, key: NoteVerifier, witnesses: [NoteVerifier] = [], minWitnesses: Int = 0,
                checkpointNote: Data? = nil, checkpointSource: String? = nil) throws {
        self.source = source
        let note = try checkpointNote ?? source.read(LogWriter.checkpointFile)
        signed = try SignedCheckpoint(note, source: checkpointSource ?? "\(source.name)/\(LogWriter.checkpointFile)",
                                      log: key, witnesses: witnesses, minWitnesses: minWitnesses)
    }

    func location(_ name: Tiles.Name) -> String { "\(source.name)/\(name.path)" }

    /// Reads and decodes resource `name`. A partial one that is gone (the log completed it
    /// since) is read as the prefix of the full one.
    private func fetch<T>(_ name: Tiles.Name, _ decode: (Data, Int, String) throws -> [T]) throws -> [T] {
        do {
            return try decode(try source.read(name.path), name.width, location(name))
        } catch LogError.missing(let path) where name.width < Tiles.width {
            var full = name
            full.width = Tiles.width
            guard let data = try? source.read(full.path) else { throw LogError.missing(path) }
            return Array(try decode(data, Tiles.width, location(full)).prefix(name.width))
        }
    }

    /// Tile `index` at `level`, as wide as the checkpoint's tree has it.
    public func tile(level: Int, index: Int) throws -> [LogHash] {
        let width = Tiles.width(level: level, index: index, size: checkpoint.size)
        guard width > 0 else { throw LogError.refused("tile \(level)/\(index) is past the tree of size \(checkpoint.size)") }
        let name = Tiles.Name(level: level, index: index, width: width)
        if let hit = cache[name] { return hit }
        let hashes = try fetch(name, Tiles.decodeHashes)
        cache[name] = hashes
        return hashes
    }

    public var hashes: TileHashes { TileHashes { [unowned self] level, index in try tile(level: level, index: index) } }

    /// Checks the tiles the root needs against the signed root.
    public func verifyRoot() throws {
        let root = try Merkle.root(size: checkpoint.size, hashes)
        guard root == checkpoint.root else {
            throw LogError.mismatch("\(source.name): the tiles hash to root \(root), the checkpoint of size \(checkpoint.size) says \(checkpoint.root)")
        }
    }

    /// The entries of bundle `index`, as many as the checkpoint's tree has.
    public func bundle(_ index: Int) throws -> [Data] {
        let width = Tiles.width(level: 0, index: index, size: checkpoint.size)
        guard width > 0 else { throw LogError.refused("entry bundle \(index) is past the tree of size \(checkpoint.size)") }
        return try fetch(Tiles.Name(level: nil, index: index, width: width), Tiles.decodeBundle)
    }

    /// Entry `index` with its inclusion proof, checked against the signed root.
    public func prove(entry index: Int) throws -> (entry: Data, proof: InclusionProof) {
        guard index >= 0 && index < checkpoint.size else {
            throw LogError.refused("entry \(index) is not in the tree of size \(checkpoint.size)")
        }
        let entry = try bundle(index / Tiles.width)[index % Tiles.width]
        let proof = InclusionProof(index: index, size: checkpoint.size, root: checkpoint.root,
                                   hashes: try Merkle.inclusionProof(index: index, size: checkpoint.size, hashes))
        guard proof.verify(leaf: .leaf(entry)) else {
            throw LogError.mismatch("\(source.name): the inclusion proof of entry \(index) built from the tiles does not lead to the signed root")
        }
        return (entry, proof)
    }

    /// The consistency proof from the tree of `old` entries to `new` (at most the checkpoint's
    /// size), with both roots from the tiles; the newer root must be the signed one when `new` is
    /// the checkpoint's size.
    public func consistency(old: Int, new: Int) throws -> ConsistencyProof {
        guard old >= 0, old <= new, new <= checkpoint.size else {
            throw LogError.refused("sizes \(old) and \(new) must satisfy 0 ≤ old ≤ new ≤ \(checkpoint.size), the checkpoint's size")
        }
        let proof = ConsistencyProof(oldSize: old, oldRoot: try Merkle.root(size: old, hashes),
                                     newSize: new, newRoot: try Merkle.root(size: new, hashes),
                                     hashes: try Merkle.consistencyProof(old: old, new: new, hashes))
        if new == checkpoint.size && proof.newRoot != checkpoint.root {
            throw LogError.mismatch("\(source.name): the tiles hash to root \(proof.newRoot), the checkpoint of size \(new) says \(checkpoint.root)")
        }
        guard proof.verify() else { throw LogError.inconsistent("\(source.name): the consistency proof \(old) → \(new) built from the tiles does not verify") }
        return proof
    }

    /// Recomputes the whole tree from the entry bundles and compares every tile and the signed
    /// root with it; the first disagreement is reported with its resource and byte offset.
    public func verifyAll() throws {
        let size = checkpoint.size
        var level = [LogHash]()
        level.reserveCapacity(min(size, 1 << 24))  // a hostile size must not allocate up front
        for index in 0 ..< (size + Tiles.width - 1) / Tiles.width {
            level += try bundle(index).map { LogHash.leaf($0) }
        }
        var tileLevel = 0
        while !level.isEmpty {
            var next: [LogHash] = []
            for index in 0 ..< (level.count + Tiles.width - 1) / Tiles.width {
                let computed = level[index * Tiles.width ..< min(level.count, (index + 1) * Tiles.width)]
                let stored = try tile(level: tileLevel, index: index)
                if let wrong = stored.indices.first(where: { computed[computed.startIndex + $0] != stored[$0] }) {
                    let name = Tiles.Name(level: tileLevel, index: index, width: stored.count)
                    let cause = tileLevel == 0
                        ? "entry \(index * Tiles.width + wrong) of \(location(Tiles.Name(level: nil, index: index, width: stored.count)))"
                        : "tile \(tileLevel - 1)/\(index * Tiles.width + wrong)"
                    throw LogError.mismatch("\(location(name)): hash \(wrong) (byte offset \(wrong * LogHash.byteCount)) is not the hash of \(cause)")
                }
                if computed.count == Tiles.width { next.append(Tiles.completeHash(computed)) }
            }
            level = next
            tileLevel += 1
        }
        try verifyRoot()
    }
}
