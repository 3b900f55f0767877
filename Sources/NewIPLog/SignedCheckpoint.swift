import Foundation

/// A checkpoint whose log signature, and any required witness cosignatures, verified.
public struct SignedCheckpoint: Sendable {
    public var checkpoint: Checkpoint
    public var note: Note
    /// Names of the given witnesses whose cosignatures verified.
    public var cosigners: [String]

    /// Opens a checkpoint note, requiring a valid signature by `log` (whose name must be the
    /// origin) and at least `minWitnesses` valid cosignatures among `witnesses`. Unknown
    /// signature lines are ignored, as signed-note requires.
    public init(_ data: Data, source: String, log: NoteVerifier, witnesses: [NoteVerifier] = [], minWitnesses: Int = 0) throws {
        let note = try Note(parsing: data, source: source)
        let body = note.text
        func check(_ key: NoteVerifier) throws -> Bool {
            let lines = note.signatures.filter { $0.name == key.name && $0.keyHash == key.keyHash }
            guard !lines.isEmpty else { return false }
            guard lines.contains(where: { key.verify($0, body: body) }) else {
                throw LogError.badSignature("\(source): the signature by \(key.name)+\(String(format: "%08x", key.keyHash)) does not verify")
            }
            return true
        }
        guard try check(log) else {
            let present = note.signatures.map { "\($0.name)+\(String(format: "%08x", $0.keyHash))" }.joined(separator: ", ")
            throw LogError.unknownKey("\(source): no signature by the log key \(log.name)+\(String(format: "%08x", log.keyHash)) (signed by: \(present))")
        }
        let checkpoint = try Checkpoint(body: body, source: source)
        guard checkpoint.origin == log.name else {
            throw LogError.unknownKey("\(source): origin \"\(checkpoint.origin)\" is not the log key's name \"\(log.name)\"")
        }
        let cosigners = try witnesses.filter(check).map(\.name)
        guard cosigners.count >= minWitnesses else {
            throw LogError.unknownKey("\(source): \(cosigners.count) valid witness cosignatures, \(minWitnesses) required")
        }
        self.note = note
        self.checkpoint = checkpoint
        self.cosigners = cosigners
    }
}
