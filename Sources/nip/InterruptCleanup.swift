import Dispatch
import Foundation

/// Runs `cleanup` and exits (128 + the signal, as a shell reports it) when SIGINT or SIGTERM
/// arrives before `cancel()`, so a long command interrupted by Ctrl-C leaves no half-written
/// output behind. After `cancel()` the signals do what they did before.
final class InterruptCleanup {
    private var sources: [DispatchSourceSignal] = []

    init(_ cleanup: @escaping @Sendable () -> Void) {
        for number in [SIGINT, SIGTERM] {
            // libdispatch takes the signal only when its default action is off.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                cleanup()
                FileHandle.standardError.write(Data("\ninterrupted: nothing was written\n".utf8))
                exit(128 + number)
            }
            source.resume()
            sources.append(source)
        }
    }

    func cancel() {
        for source in sources { source.cancel() }
        sources = []
        for number in [SIGINT, SIGTERM] { signal(number, SIG_DFL) }
    }

    deinit { cancel() }
}
