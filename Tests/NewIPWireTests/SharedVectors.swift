@_exported import NewIPRandom
import Foundation
import NewIPWire
import XCTest

/// Reads the interoperability vectors: the project's verbatim copy in `Tests/Vectors/`
/// (checked against `../shared/vectors/` by `VectorCopyTests` when that folder exists).
enum SharedVectors {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let root: URL = packageRoot.appendingPathComponent("Tests/Vectors")
    /// The public copy the project's copy must equal, beside the clone when present.
    static let upstream: URL = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/vectors")

    static func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    /// Every line of a JSON Lines file as a dictionary, with its 1-based line number.
    static func jsonLines(_ path: String) throws -> [(line: Int, object: [String: Any])] {
        let text = try String(contentsOf: url(path), encoding: .utf8)
        return try text.split(separator: "\n", omittingEmptySubsequences: true).enumerated().map { index, line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return (index + 1, try XCTUnwrap(object, "\(path):\(index + 1) is not a JSON object"))
        }
    }
}

func hexBytes(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [UInt8] {
    guard let bytes = parseHexBytes(text) else {
        XCTFail("not hex: \(text)", file: file, line: line)
        return []
    }
    return bytes
}

func hexString(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}
