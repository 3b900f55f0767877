import Foundation

/// Linux network namespaces (`ip netns` names): a socket or device belongs to the namespace of
/// the thread that opened it, so work there runs on a fresh thread that enters it first, and the
/// caller's own threads stay where they are.
public enum NetworkNamespace {
    /// Runs `body` inside `namespace` (here when `nil`) and returns its result.
    public static func run<T: Sendable>(_ namespace: String?, _ body: @escaping @Sendable () throws -> T) throws -> T {
        guard let namespace else { return try body() }
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            defer { done.signal() }
            let nsfd = open("/var/run/netns/\(namespace)", O_RDONLY)
            guard nsfd >= 0, Syscalls.setns(nsfd, 0x4000_0000) == 0 else {  // CLONE_NEWNET
                box.result = .failure(ToolError("cannot enter network namespace \(namespace): \(String(cString: strerror(errno)))"))
                return
            }
            close(nsfd)
            box.result = Result { try body() }
        }
        thread.start()
        done.wait()
        return try box.result!.get()
    }

    private final class ResultBox<T>: @unchecked Sendable {
        var result: Result<T, Error>?
    }
}
