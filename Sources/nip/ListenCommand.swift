import ArgumentParser
import Foundation
import NewIPDataPlane
import NewIPFiles
import NewIPRuntime
import NewIPWire

struct ListenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Receive UDP-over-New-IP datagrams on a running node.",
        discussion: """
        Binds the port on the node and writes each datagram's data to standard output (or --output) as it \
        arrives; --verbose adds one line per datagram on standard error. Stops after --count datagrams or \
        --timeout seconds without one, then prints the count on standard error.
        """)

    @OptionGroup var nodeOptions: NodeOptions

    @Option(help: "UDP port to bind.")
    var port: UInt16

    @Option(help: "Write the data to this file instead of standard output (an existing file only with --force).")
    var output: String?

    @Flag(help: "Replace an existing output file.")
    var force = false

    @Option(help: "Stop after this many datagrams.")
    var count: Int?

    @Option(help: "Stop after this many seconds without a datagram (0: never).")
    var timeout = 0.0

    @Flag(help: "A line per datagram on standard error: source, size, contract clauses.")
    var verbose = false

    func run() throws {
        if let output { try OutputFile.check(output, option: "--output", force: force) }
        let target = try nodeOptions.target()
        let app = try target.requireApp()
        let handle: FileHandle
        if let output {
            handle = try OutputFile.create(output, option: "--output", force: force)
        } else {
            handle = FileHandle.standardOutput
        }
        let (port, count, timeout, verbose) = (port, count, timeout, verbose)
        let received = try runBlocking { () -> Int in
            let socket = try await NewIPDatagramSocket.bind(node: app, port: port)
            FileHandle.standardError.write(Data("listening on \(socket.source) port \(socket.localPort) (node \(target.name))\n".utf8))
            let counter = Task { () -> Int in
                var received = 0
                for await datagram in socket.datagrams {
                    received += 1
                    handle.write(Data(datagram.data))
                    if verbose {
                        let clauses = datagram.clauses.map { "\($0)" }.joined(separator: ", ")
                        FileHandle.standardError.write(Data(
                            "\(datagram.source?.description ?? "?"):\(datagram.sourcePort) \(datagram.data.count) bytes \(clauses)\n".utf8))
                    }
                    if let count, received >= count { break }
                    IdleTimer.shared.touch()
                }
                return received
            }
            let watcher = Task {
                guard timeout > 0 else { return }
                IdleTimer.shared.touch()
                while !Task.isCancelled {
                    try await Task.sleep(nanoseconds: 50_000_000)
                    if IdleTimer.shared.idle > timeout {
                        counter.cancel()
                        return
                    }
                }
            }
            let received = await counter.value
            watcher.cancel()
            await socket.close()
            return received
        }
        try? handle.synchronize()
        FileHandle.standardError.write(Data("received \(received) datagrams\n".utf8))
    }
}

/// When the last datagram came, for --timeout.
final class IdleTimer: @unchecked Sendable {
    static let shared = IdleTimer()
    private let lock = NSLock()
    private var last = Date()

    func touch() { lock.withLock { last = Date() } }
    var idle: Double { lock.withLock { Date().timeIntervalSince(last) } }
}
