import Foundation

/// An inclusion proof as text: a header line, `index`, `size`, `root`, then one base64 hash a line.
public struct InclusionProof: Equatable, Sendable {
    public var index: Int
    public var size: Int
    public var root: LogHash
    public var hashes: [LogHash]

    public init(index: Int, size: Int, root: LogHash, hashes: [LogHash]) {
        self.index = index
        self.size = size
        self.root = root
        self.hashes = hashes
    }

    static let header = "tlog inclusion proof"

    public var text: String {
        ([Self.header, "index \(index)", "size \(size)", "root \(root.base64)"] + hashes.map(\.base64)).joined(separator: "\n") + "\n"
    }

    public init(parsing text: String, source: String) throws {
        let lines = try ProofLines(text, header: Self.header, fields: [("index", 1), ("size", 1), ("root", 1)], source: source)
        index = try lines.number(0)
        size = try lines.number(1)
        root = try lines.hash(2)
        hashes = lines.hashes
        guard index < size else { throw LogError.malformed(source, "index \(index) is not below size \(size)") }
    }

    public func verify(leaf: LogHash) -> Bool {
        Merkle.verifyInclusion(leaf: leaf, index: index, size: size, proof: hashes, root: root)
    }
}

/// A consistency proof as text: a header line, `old <size> <root>`, `new <size> <root>`, then one
/// base64 hash a line.
public struct ConsistencyProof: Equatable, Sendable {
    public var oldSize: Int
    public var oldRoot: LogHash
    public var newSize: Int
    public var newRoot: LogHash
    public var hashes: [LogHash]

    public init(oldSize: Int, oldRoot: LogHash, newSize: Int, newRoot: LogHash, hashes: [LogHash]) {
        self.oldSize = oldSize
        self.oldRoot = oldRoot
        self.newSize = newSize
        self.newRoot = newRoot
        self.hashes = hashes
    }

    static let header = "tlog consistency proof"

    public var text: String {
        ([Self.header, "old \(oldSize) \(oldRoot.base64)", "new \(newSize) \(newRoot.base64)"] + hashes.map(\.base64)).joined(separator: "\n") + "\n"
    }

    public init(parsing text: String, source: String) throws {
        let lines = try ProofLines(text, header: Self.header, fields: [("old", 2), ("new", 2)], source: source)
        oldSize = try lines.number(0)
        oldRoot = try lines.hash(0, second: true)
        newSize = try lines.number(1)
        newRoot = try lines.hash(1, second: true)
        hashes = lines.hashes
        guard oldSize <= newSize else { throw LogError.malformed(source, "old size \(oldSize) is above new size \(newSize)") }
    }

    public func verify() -> Bool {
        Merkle.verifyConsistency(oldSize: oldSize, newSize: newSize, oldRoot: oldRoot, newRoot: newRoot, proof: hashes)
    }
}

/// The shared line syntax of both proofs.
private struct ProofLines {
    var fields: [[Substring]]
    var hashes: [LogHash]
    var source: String

    /// A proof in a tree of at most 2^63 entries has at most 63 hashes (64 with a consistency proof's extra).
    static let maxHashes = 64

    init(_ text: String, header: String, fields names: [(String, Int)], source: String) throws {
        self.source = source
        guard text.utf8.count <= 16 << 10 else { throw LogError.malformed(source, "\(text.utf8.count) bytes, too long for a proof") }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        guard lines.first == Substring(header) else { throw LogError.malformed(source, "line 1: expected \"\(header)\"") }
        guard lines.count >= 1 + names.count else { throw LogError.malformed(source, "expected lines \(names.map(\.0).joined(separator: ", "))") }
        fields = []
        for (i, (name, arity)) in names.enumerated() {
            let parts = lines[1 + i].split(separator: " ", omittingEmptySubsequences: false)
            guard parts.first == Substring(name), parts.count == 1 + arity else {
                throw LogError.malformed(source, "line \(i + 2): expected \"\(name)\" and \(arity) value\(arity == 1 ? "" : "s")")
            }
            fields.append(Array(parts.dropFirst()))
        }
        let rest = lines.dropFirst(1 + names.count)
        guard rest.count <= Self.maxHashes else { throw LogError.malformed(source, "\(rest.count) hashes, at most \(Self.maxHashes)") }
        hashes = try rest.enumerated().map { i, line in
            guard let hash = LogHash(base64: line) else {
                throw LogError.malformed(source, "line \(names.count + 2 + i): not the base64 of a 32-byte hash")
            }
            return hash
        }
    }

    func number(_ field: Int) throws -> Int {
        let text = fields[field][0]
        guard let value = Int(text), value >= 0, text.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw LogError.malformed(source, "line \(field + 2): \"\(text)\" is not a non-negative decimal")
        }
        return value
    }

    func hash(_ field: Int, second: Bool = false) throws -> LogHash {
        guard let hash = LogHash(base64: fields[field][second ? 1 : 0]) else {
            throw LogError.malformed(source, "line \(field + 2): expected one base64 32-byte hash")
        }
        return hash
    }
}
