import Foundation

/// A value made on one thread and taken, once, by whichever job needs it.
final class Handoff<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value?

    init(_ value: Value) { self.value = value }

    func take() -> Value? { lock.withLock { defer { value = nil }; return value } }
}
