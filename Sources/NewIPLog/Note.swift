import Foundation

/// A C2SP signed note: a text body ending in a newline, a blank line, then signature lines
/// `— <name> base64(keyhash4 ‖ signature)`.
public struct Note: Equatable, Sendable {
    public struct Signature: Equatable, Sendable {
        public var name: String
        public var keyHash: UInt32
        /// The signature bytes after the 4-byte key hash.
        public var bytes: [UInt8]

        public init(name: String, keyHash: UInt32, bytes: [UInt8]) {
            self.name = name
            self.keyHash = keyHash
            self.bytes = bytes
        }

        public var line: String {
            let prefix = withUnsafeBytes(of: keyHash.bigEndian) { Array($0) }
            return "— \(name) \(Data(prefix + bytes).base64EncodedString())\n"
        }
    }

    /// The body, ending in "\n".
    public var text: String
    public var signatures: [Signature]

    public init(text: String, signatures: [Signature]) {
        self.text = text
        self.signatures = signatures
    }

    public var serialized: String { text + "\n" + signatures.map(\.line).joined() }

    /// Notes larger than this are refused before parsing.
    public static let maxBytes = 1 << 20
    static let maxSignatures = 100

    /// Parses a note; `source` names it in errors (a path or URL).
    public init(parsing data: Data, source: String) throws {
        func bad(_ why: String) -> LogError { .malformed(source, why) }
        guard data.count <= Self.maxBytes else { throw bad("\(data.count) bytes, a note has at most \(Self.maxBytes)") }
        guard let whole = String(data: data, encoding: .utf8) else { throw bad("not UTF-8") }
        if let offset = whole.utf8.firstIndex(where: { $0 < 0x20 && $0 != 0x0A }) {
            throw bad("control character at byte offset \(whole.utf8.distance(from: whole.utf8.startIndex, to: offset))")
        }
        guard whole.hasSuffix("\n") else { throw bad("does not end with a newline") }
        guard let split = whole.range(of: "\n\n", options: .backwards) else { throw bad("no blank line before the signatures") }
        text = String(whole[..<split.lowerBound]) + "\n"
        guard split.upperBound < whole.endIndex else { throw bad("no signature lines") }
        var signatures: [Signature] = []
        var offset = whole.utf8.distance(from: whole.startIndex, to: split.upperBound)
        for line in whole[split.upperBound...].dropLast().split(separator: "\n", omittingEmptySubsequences: false) {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 3, fields[0] == "—", !fields[1].isEmpty, !fields[1].contains("+"),
                  let raw = Data(base64Encoded: String(fields[2])), raw.count > 4 else {
                throw bad("signature line at byte offset \(offset) is not \"— <name> <base64>\"")
            }
            let keyHash = raw.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            signatures.append(Signature(name: String(fields[1]), keyHash: keyHash, bytes: Array(raw.dropFirst(4))))
            offset += line.utf8.count + 1
        }
        guard signatures.count <= Self.maxSignatures else { throw bad("\(signatures.count) signatures, at most \(Self.maxSignatures)") }
        self.signatures = signatures
    }
}

/// A C2SP tlog-checkpoint: the body of a log's signed note.
public struct Checkpoint: Equatable, Sendable {
    public var origin: String
    public var size: Int
    public var root: LogHash
    public var extensions: [String] = []

    /// Larger trees are refused, so that no index arithmetic on a hostile checkpoint overflows.
    public static let maxSize = (1 << 62) - 1

    public init(origin: String, size: Int, root: LogHash) {
        self.origin = origin
        self.size = size
        self.root = root
    }

    public var body: String { ([origin, String(size), root.base64] + extensions).joined(separator: "\n") + "\n" }

    public init(body: String, source: String) throws {
        func bad(_ line: Int, _ why: String) -> LogError { .malformed(source, "checkpoint line \(line): \(why)") }
        let lines = body.dropLast().split(separator: "\n", omittingEmptySubsequences: false)
        guard body.hasSuffix("\n"), lines.count >= 3 else { throw LogError.malformed(source, "a checkpoint has at least three lines") }
        guard !lines[0].isEmpty else { throw bad(1, "empty origin") }
        let sizeText = lines[1]
        guard let size = Int(sizeText), size >= 0, size <= Checkpoint.maxSize, sizeText.allSatisfy({ $0.isASCII && $0.isNumber }),
              sizeText == "0" || !sizeText.hasPrefix("0") else {
            throw bad(2, "tree size \"\(sizeText)\" is not a decimal without leading zeroes up to 2^62 - 1")
        }
        guard let root = LogHash(base64: lines[2]), Data(root.bytes).base64EncodedString() == lines[2] else {
            throw bad(3, "root hash \"\(lines[2])\" is not the base64 of 32 bytes")
        }
        if let empty = lines.dropFirst(3).firstIndex(where: \.isEmpty) { throw bad(empty + 1, "empty extension line") }
        origin = String(lines[0])
        self.size = size
        self.root = root
        extensions = lines.dropFirst(3).map(String.init)
    }
}
