import Crypto
import Foundation
import NewIPSecurity

/// The bearer token of a node's control endpoint and application port (docs/node.md,
/// "Authentication"): a file of one line, mode 0600 (`auth-token:` in the node file; `nip up`
/// writes one per run, `token` in the state file). Every control request but `GET /metrics`
/// carries `Authorization: Bearer <token>`; every application-port message is wrapped in
/// `4E 20 length token …`.
public enum NodeAuth {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var current: String?

    /// The token this process's tools send (`ControlClient`, `NodeConnection`) unless told
    /// another; set from the run state or `--token-file`.
    public static var token: String? {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }

    /// A new token: 32 random bytes as 64 hex digits.
    public static func generate() -> String { hex(SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }) }

    /// Writes a new token to `path` (0600, replacing one `nip up` wrote before); the token.
    @discardableResult
    public static func create(at path: String) throws -> String {
        let token = generate()
        try PrivateFile.write(token + "\n", to: path, force: true)
        return token
    }

    /// The token in `path`; refused when others may read the file or it holds no token.
    public static func read(_ path: String) throws -> String {
        let token = try PrivateFile.read(path, what: "node token").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty, token.count <= 255, token.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw SecurityFileError("\(path): holds no token (one line of at most 255 printable characters)")
        }
        return token
    }

    /// Equal in time that does not depend on where they differ.
    static func matches(_ given: some Collection<UInt8>, _ expected: [UInt8]) -> Bool {
        guard given.count == expected.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(given, expected) { difference |= a ^ b }
        return difference == 0
    }
}
