import Foundation
import NewIPJSON
import NewIPTopology

/// A minimal blocking HTTP/1.1 client for node control endpoints on loopback (the CLI's
/// side of `ControlHandler`): one request per connection.
public enum ControlClient {
    public struct Response: Sendable {
        public var status: Int
        public var body: String
        /// The request this answers, for messages: `GET /counters at 127.0.0.1:9101`.
        public var request: String

        public init(status: Int, body: String, request: String = "the request") {
            self.status = status
            self.body = body
            self.request = request
        }

        /// The body as JSON; a body that is not JSON is a `Failure` saying where.
        public func value() throws(Failure) -> JSONValue {
            do { return try JSONValue.parse(body.utf8) } catch {
                throw Failure(description: "the answer to \(request) is \(error)")
            }
        }

        /// The fields `reader` takes from a 200 answer's JSON. Another status, a body that is
        /// not JSON, or a missing or mistyped field is a `Failure` naming the request (and the field).
        public func read<T>(_ reader: (JSONValue) throws(JSONValue.FieldError) -> T) throws(Failure) -> T {
            guard status == 200 else { throw Failure(description: "\(request) answered \(status): \(errorMessage)") }
            let value = try value()
            do { return try reader(value) } catch {
                throw Failure(description: "the answer to \(request) does not say what nip needs: \(error)")
            }
        }

        /// A refusal's reason: the `error` of its JSON body, else the body itself.
        public var errorMessage: String {
            (try? value())?["error"]?.stringValue ?? body.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// The body as Foundation values (`[String: Any]`, numbers as `Int`), for tests that
        /// read it so; built from `value()`. Tools read answers with `read` instead.
        public var json: [String: Any]? { (try? value())?.foundationValue as? [String: Any] }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// What `GET /status` polling found out about a node that was just started.
    public enum Readiness: Equatable, Sendable {
        case ready
        /// The process exited before answering.
        case exited
        /// Another process answered on the node's control endpoint: its port was taken.
        case answeredByAnother(pid: Int, name: String)
        case timedOut
    }

    /// Polls `GET /status` until the node answers 200, its process `pid` exits, or `timeout`
    /// seconds pass. With `pid`, only an answer from that process counts as ready (a node
    /// reports its pid), so a node of another topology on the same port is not mistaken for it.
    public static func readiness(_ endpoint: NodeConfig.Endpoint, pid: Int32? = nil, timeout: Double = 10,
                                 namespace: String? = nil) -> Readiness {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let answer = try? NetworkNamespace.run(namespace) { try request("GET", endpoint, "/status", timeout: 1) }
            if let answer, answer.status == 200 {
                let status = try? answer.value()
                guard let pid, let answering = status?["pid"]?.intValue, answering != Int(pid) else { return .ready }
                // The port may still be ours a moment later if the other answer came from a node
                // that was stopping; the process we started decides.
                if !ProcessControl.isAlive(pid) || Date().addingTimeInterval(0.5) >= deadline {
                    return .answeredByAnother(pid: answering, name: status?["name"]?.stringValue ?? "?")
                }
            }
            if let pid, !ProcessControl.isAlive(pid) { return .exited }
            usleep(50_000)
        }
        return .timedOut
    }

    /// `readiness(...) == .ready`.
    public static func waitUntilReady(_ endpoint: NodeConfig.Endpoint, pid: Int32? = nil, timeout: Double = 10,
                                      namespace: String? = nil) -> Bool {
        readiness(endpoint, pid: pid, timeout: timeout, namespace: namespace) == .ready
    }

    /// `request`, from inside the network namespace `namespace` (`ip netns` name): runs on a
    /// thread of its own that enters it first, for nodes a test started in a namespace.
    public static func request(_ method: String, _ endpoint: NodeConfig.Endpoint, _ path: String, body: String = "",
                               timeout: Double = 5, namespace: String, token: String? = NodeAuth.token) throws -> Response {
        try NetworkNamespace.run(namespace) { try request(method, endpoint, path, body: body, timeout: timeout, token: token) }
    }

    /// One request; with `token` (default: `NodeAuth.token`, the run state's) it carries
    /// `Authorization: Bearer <token>`.
    public static func request(_ method: String, _ endpoint: NodeConfig.Endpoint, _ path: String, body: String = "",
                               timeout: Double = 5, token: String? = NodeAuth.token) throws -> Response {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var info: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(endpoint.host, String(endpoint.port), &hints, &info) == 0, let first = info else {
            throw Failure(description: "cannot resolve \(endpoint)")
        }
        defer { freeaddrinfo(info) }
        let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            throw Failure(description: "cannot reach the control endpoint \(endpoint): \(String(cString: strerror(errno)))")
        }
        let authorization = token.map { "Authorization: Bearer \($0)\r\n" } ?? ""
        let request = "\(method) \(path) HTTP/1.1\r\nHost: \(endpoint)\r\nConnection: close\r\n\(authorization)"
            + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        var bytes = Array(request.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + sent, $0.count - sent) }
            guard n > 0 else { throw Failure(description: "sending to \(endpoint) failed") }
            sent += n
        }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 { throw Failure(description: "no answer from \(endpoint) within \(timeout) s") }
            if n == 0 { break }
            received += chunk[0..<n]
        }
        bytes = received
        let text = String(decoding: bytes, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw Failure(description: "a malformed answer from \(endpoint)") }
        let statusLine = text[..<split.lowerBound].split(separator: "\r\n").first ?? ""
        let status = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return Response(status: status, body: String(text[split.upperBound...]), request: "\(method) \(path) at \(endpoint)")
    }
}

extension JSONValue {
    /// Foundation's form of the value: `[String: Any]`, `[Any]`, `String`, `Int` (`UInt64`
    /// beyond `Int.max`), `Double`, `Bool`, `NSNull`.
    var foundationValue: Any {
        switch self {
        case .null: NSNull()
        case .bool(let value): value
        case .int(let value): value
        case .unsigned(let value): Int(exactly: value).map { $0 as Any } ?? value
        case .double(let value), .decimal(let value, _): value
        case .string(let value): value
        case .array(let items): items.map(\.foundationValue)
        case .object(let members): Dictionary(members.map { ($0.0, $0.1.foundationValue) }, uniquingKeysWith: { first, _ in first })
        }
    }
}
