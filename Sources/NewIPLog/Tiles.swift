import Foundation

/// C2SP tlog-tiles: tile and entry-bundle names, widths, and the byte formats of both.
public enum Tiles {
    public static let height = 8
    public static let width = 1 << height

    /// A resource of the tiles layout: a hash tile (`level` ≥ 0) or an entry bundle (`level` nil).
    public struct Name: Equatable, Hashable, Sendable {
        public var level: Int?
        public var index: Int
        /// 1...256; below 256 the tile is partial.
        public var width: Int

        public init(level: Int?, index: Int, width: Int) {
            self.level = level
            self.index = index
            self.width = width
        }

        /// `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`, <N> in 3-digit groups, all but
        /// the last prefixed with `x` (1234067 → x001/x234/067).
        public var path: String {
            var groups = [String(format: "%03d", index % 1000)]
            var rest = index / 1000
            while rest > 0 {
                groups.insert(String(format: "x%03d", rest % 1000), at: 0)
                rest /= 1000
            }
            let head = level.map { "tile/\($0)/" } ?? "tile/entries/"
            return head + groups.joined(separator: "/") + (width < Tiles.width ? ".p/\(width)" : "")
        }

        /// Parses a path in exactly the canonical form `path` writes, or returns nil.
        public init?(path: String) {
            var parts = path.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count >= 3, parts[0] == "tile" else { return nil }
            if parts[1] == "entries" {
                level = nil
            } else {
                guard let l = Int(parts[1]), l >= 0, l <= 63 else { return nil }
                level = l
            }
            parts.removeFirst(2)
            width = Tiles.width
            if parts.count >= 2, parts[parts.count - 2].hasSuffix(".p") {
                guard let w = Int(parts.removeLast()), w >= 1, w < Tiles.width else { return nil }
                width = w
                parts[parts.count - 1] = parts[parts.count - 1].dropLast(2)
            }
            guard parts.count <= 6 else { return nil }  // below 10^18: no overflow
            index = 0
            for (i, group) in parts.enumerated() {
                let digits = i < parts.count - 1 ? (group.first == "x" ? group.dropFirst() : "") : group
                guard digits.count == 3, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int(digits) else { return nil }
                index = index * 1000 + value
            }
            guard self.path == path else { return nil }  // leading "x000" groups, "0" levels, ...
        }
    }

    /// How many hashes tile `index` at `level` holds in a tree of `size` (0 when it does not exist).
    public static func width(level: Int, index: Int, size: Int) -> Int {
        let hashes = level * height >= Int.bitWidth - 1 ? 0 : size >> (level * height)
        return max(0, min(width, hashes - index * width))
    }

    /// A hash tile: `expected` concatenated 32-byte hashes, nothing more or less.
    public static func decodeHashes(_ data: Data, expected: Int, source: String) throws -> [LogHash] {
        guard data.count == expected * LogHash.byteCount else {
            throw LogError.malformed(source, "\(data.count) bytes, a tile of \(expected) hashes has \(expected * LogHash.byteCount)")
        }
        let bytes = [UInt8](data)
        return (0..<expected).map { LogHash(bytes[$0 * LogHash.byteCount ..< ($0 + 1) * LogHash.byteCount])! }
    }

    public static func encodeHashes(_ hashes: some Sequence<LogHash>) -> Data {
        Data(hashes.flatMap(\.bytes))
    }

    /// The longest entry a bundle can hold: its length prefix is a uint16.
    public static let maxEntryBytes = Int(UInt16.max)

    public static func encodeBundle(_ entries: some Sequence<Data>) -> Data {
        var out = Data()
        for entry in entries {
            precondition(entry.count <= maxEntryBytes)
            out.append(UInt8(entry.count >> 8))
            out.append(UInt8(entry.count & 0xFF))
            out.append(entry)
        }
        return out
    }

    /// An entry bundle: exactly `expected` big-endian uint16 length-prefixed entries.
    public static func decodeBundle(_ data: Data, expected: Int, source: String) throws -> [Data] {
        let bytes = [UInt8](data)
        var entries: [Data] = []
        var offset = 0
        while offset < bytes.count {
            guard offset + 2 <= bytes.count else {
                throw LogError.malformed(source, "entry \(entries.count) at byte offset \(offset): the length prefix is cut short")
            }
            let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
            guard offset + 2 + length <= bytes.count else {
                throw LogError.malformed(source, "entry \(entries.count) at byte offset \(offset): \(length) bytes announced, \(bytes.count - offset - 2) left")
            }
            entries.append(Data(bytes[offset + 2 ..< offset + 2 + length]))
            offset += 2 + length
        }
        guard entries.count == expected else {
            throw LogError.malformed(source, "\(entries.count) entries in \(bytes.count) bytes, expected \(expected)")
        }
        return entries
    }

    /// MTH of a power-of-two run of hashes.
    static func completeHash(_ hashes: ArraySlice<LogHash>) -> LogHash {
        var level = Array(hashes)
        while level.count > 1 {
            level = stride(from: 0, to: level.count, by: 2).map { LogHash.node(level[$0], level[$0 + 1]) }
        }
        return level[0]
    }
}

/// Subtree hashes read from hash tiles: tiles store every 8th level; the seven levels between
/// are recomputed from the tile's hashes.
public struct TileHashes: SubtreeHashes {
    /// The hashes of tile `index` at tile `level`, as wide as the tree has them.
    public var tile: (_ level: Int, _ index: Int) throws -> [LogHash]

    public init(tile: @escaping (_ level: Int, _ index: Int) throws -> [LogHash]) { self.tile = tile }

    public func hash(level: Int, index: Int) throws -> LogHash {
        let tileLevel = level / Tiles.height, within = level % Tiles.height
        let first = index << within
        let hashes = try tile(tileLevel, first / Tiles.width)
        let start = first % Tiles.width, count = 1 << within
        guard start + count <= hashes.count else {
            let name = Tiles.Name(level: tileLevel, index: first / Tiles.width, width: hashes.count)
            throw LogError.missing("\(name.path) has \(hashes.count) hashes, hash \(start + count - 1) is needed")
        }
        return Tiles.completeHash(hashes[start ..< start + count])
    }
}
