import Dispatch
import Foundation
import NewIPDataPlane
import NewIPJSON
import NewIPLog
import NewIPNode
import NewIPSecurity
import NewIPTopology
import NewIPWire

/// A real node's part of the registered mode (docs/node.md, "Registered mode"): a first hop's
/// `SourceAuthentication` built from the node file (the domain's secret, the window, the
/// interfaces that face hosts) and the registrar it follows for revocations; or a host's
/// enrolment, with which every packet its applications send is sealed.
///
/// Built in `Node.init`; a file that cannot be read is reported by `Node.start`.
final class NodeSecurityState: @unchecked Sendable {
    /// The authenticator's clock minus the node's: Unix nanoseconds at start minus `Node.now()`.
    let clockOffset: UInt64
    /// The first hop's checks, handed to the node core.
    private(set) var authentication: SourceAuthentication?
    /// A domain border's policy (`border:`), handed to the node core.
    private(set) var borderPolicy: BorderPolicy?
    /// The border's rules in force, as written (`POST /policy` replaces them), and how many
    /// times they were replaced.
    var borderRules: [Topology.PolicyRule] = []
    var policyChanges = 0
    private(set) var loadError: String?
    let settings: NodeConfig.Security?

    // A host's sealing (on the node's loop).
    private(set) var enrolment: Enrolment?
    private var sender: SourceAuthSender?
    /// A self-certifying host's key and modifier, carried in every packet it seals.
    private var keyProof: SourceAuthenticatorItem.KeyProof?
    private(set) var sealed = 0
    private(set) var sealFailures = 0
    /// A host under `key-epoch`: its device key, and the source keys fetched so far by epoch
    /// number (on the loop); the epoch it seals in.
    private var identity: DeviceIdentity?
    /// A self-certifying host's public key (`self-certifying` and `identity`): autoconfiguration
    /// forms its address from it.
    var selfCertifyingKey: [UInt8]? { settings?.selfCertifying == nil ? nil : identity?.publicKey }
    private var epochKeys: [UInt64: SourceKey] = [:]
    private var sealingEpoch: UInt64?
    var renewals = 0
    var renewalFailures = 0
    private var renewalTimer: DispatchSourceTimer?

    // What the poller learnt (on the node's loop).
    var lastCheckpoint: Checkpoint?
    var lastPollUnix: UInt64 = 0
    var polls = 0
    var pollFailures = 0
    /// Answers refused whole (a checkpoint not signed by the log key, a log that forked) and
    /// revocations refused for want of proof.
    var refusedAnswers = 0
    var unprovenRevocations = 0
    var revokedByRegistrar: [(address: String, index: Int)] = []
    /// What the poller accepted of the registrar's log so far (its own queue only).
    private var feed = RevocationFeed(logKey: nil)
    private var timer: DispatchSourceTimer?
    private let queue = DispatchQueue(label: "newip.node.revocations")

    /// The bearer token the control endpoint and the application port require (`auth-token:`).
    private(set) var authToken: [UInt8]?
    /// Control requests refused for want of the token (401), and application-port messages.
    var controlRefused = 0
    var appRefused = 0
    /// The node's own addresses: the only sources its applications may send from.
    let ownAddresses: Set<FrameworkAddress>

    init(config: NodeConfig, now: Nanoseconds) {
        settings = config.security
        clockOffset = unixNanoseconds() &- UInt64(clamping: now)
        ownAddresses = Set(config.localAddresses)
        if let path = config.authToken {
            do { authToken = Array(try NodeAuth.read(path).utf8) } catch {
                loadError = "auth-token: \(error)"
                return
            }
        }
        if let border = config.border {
            do {
                let verifier = try border.secret.map { path in
                    let secret = try FirstHopSecretFile.read(path), window = UInt64(border.window)
                    return border.keyEpoch.map { period in
                        SourceAuthVerifier(rotating: KeyEpochs(master: secret.key, period: UInt64(period), grace: window), window: window,
                                           now: unixNanoseconds())
                    } ?? SourceAuthVerifier(secrets: [secret], window: window, now: unixNanoseconds())
                }
                borderPolicy = BorderPolicy(border: border, verifier: verifier, clockOffset: clockOffset)
                borderRules = border.policy
            } catch {
                loadError = "border: \(error)"
                return
            }
        }
        guard let settings = config.security else { return }
        do {
            if let path = settings.identity {
                do { identity = try KeyFile.read(path) } catch { throw SecurityFileError("identity: \(error)") }
            }
            if let path = settings.enrolment {
                let enrolment = try Enrolment.read(path)
                self.enrolment = enrolment
                sender = SourceAuthSender(key: enrolment.sourceKey)
                if let prefixLength = settings.selfCertifying {
                    let key = enrolment.certificate.subjectKey
                    guard let modifier = (UInt8.min...UInt8.max).first(where: {
                        SelfCertifyingAddress.verify(enrolment.address, prefixLength: prefixLength, publicKey: key, modifier: $0)
                    }) else {
                        throw SecurityFileError("\(path): address \(enrolment.address) is not the self-certifying address of its key "
                            + "under a \(prefixLength)-bit prefix (enrol with the address `nip key show --prefix` prints)")
                    }
                    keyProof = SourceAuthenticatorItem.KeyProof(publicKey: key, modifier: modifier)
                }
            }
            if settings.verifies, let path = settings.secret {
                let secret = try FirstHopSecretFile.read(path)
                let interfaces = Set(settings.firstHop.compactMap { name in config.interfaces.firstIndex { $0.name == name } })
                let window = UInt64(settings.window)
                let verifier = settings.keyEpoch.map { period in
                    SourceAuthVerifier(rotating: KeyEpochs(master: secret.key, period: UInt64(period), grace: window), window: window,
                                       selfCertifiedPrefixLength: settings.selfCertifying, now: unixNanoseconds())
                } ?? SourceAuthVerifier(secrets: [secret], window: window, selfCertifiedPrefixLength: settings.selfCertifying,
                                        now: unixNanoseconds())
                // With a signing key, refused sources hear why (signed, rate-limited).
                let notices = try settings.noticesKey.map { RefusalNotices(identity: try KeyFile.read($0)) }
                authentication = SourceAuthentication(admission: settings.admission == .registered ? .registered : .open,
                                                      verifier: verifier, firstHopInterfaces: interfaces, clockOffset: clockOffset,
                                                      notices: notices)
            }
            if let text = settings.logKey {
                do { feed = RevocationFeed(logKey: try NoteVerifier(parsing: text)) } catch {
                    throw SecurityFileError("log-key: \(error) (write the registrar's log key as `nip registrar init` prints it)")
                }
            }
        } catch {
            loadError = "security: \(error)"
        }
    }

    var seals: Bool { sender != nil }

    /// The packet with a sealed source authenticator (added when the application's packet has
    /// none); `nil` when it cannot be sealed. `now` is the node's clock.
    func seal(_ packet: UnsafeRawBufferPointer, dialect: PacketDialect, now: Nanoseconds) -> [UInt8]? {
        guard var sender else { return nil }
        let clock = clockOffset &+ UInt64(clamping: now)
        if let period = settings?.keyEpoch, identity != nil {
            // The epoch's key, fetched ahead of its boundary (`startRenewing`).
            let number = clock / UInt64(period)
            if sealingEpoch != number, let key = epochKeys[number] {
                sender.use(key)
                sealingEpoch = number
            }
        }
        do {
            var bytes = try Self.withAuthenticator(packet, dialect: dialect, placeholder: sender.placeholder(keyProof: keyProof))
            try bytes.withUnsafeMutableBytes { try sender.seal($0, dialect: dialect, now: clockOffset &+ UInt64(clamping: now)) }
            self.sender = sender
            sealed += 1
            return bytes
        } catch {
            sealFailures += 1
            return nil
        }
    }

    /// `packet` carrying an authenticator: as it is when it has one, else rebuilt with
    /// `placeholder` (compact: an extension item first; framework: a clause before the payload spec).
    static func withAuthenticator(_ packet: UnsafeRawBufferPointer, dialect: PacketDialect,
                                  placeholder: SourceAuthenticatorItem) throws -> [UInt8] {
        let view = try NewIPPacketView(packet, dialect: dialect)
        if try SourceAuthenticatorItem.locate(in: view) != nil { return Array(packet) }
        var value = try NewIPPacket(view)
        switch dialect {
        case .compact:
            guard let ttl = value.ttl, let nextHeader = value.nextHeader, case .compact(let destination) = value.destination else {
                throw SecurityFileError("not a compact packet")
            }
            var source: CompactAddress? = nil
            if case .compact(let address)? = value.source { source = address }
            var extensions = placeholder.extensionItem
            for clause in value.clauses { extensions += CompactExtensions.item(for: clause) }
            if let spec = value.payloadSpec { extensions += spec.extensionItem }
            let header = CompactHeader(ttl: ttl, nextHeader: nextHeader, destination: destination, source: source,
                                       extensionLength: extensions.count)
            return header.bytes(extensions: extensions) + value.payload
        case .framework:
            value.clauses.append(placeholder.clause)
            return try value.encoded()
        }
    }

    // MARK: Revocations

    /// Polls the registrar's `/revocations` every checkpoint interval off the node's loop (a
    /// blocking request on a queue of its own), checks the answer (`RevocationFeed`) and hands
    /// what it accepted, or why not, to `apply` on the loop.
    func startPolling(_ apply: @escaping @Sendable (_ outcome: PollOutcome) -> Void) {
        guard let settings, settings.verifies, let registrar = settings.registrar else { return }
        let interval = Int(settings.checkpointInterval)
        let timeout = min(1.0, Double(interval) / 1e9)
        let timer = DispatchSource.makeTimerSource(queue: queue)
        timer.schedule(deadline: .now(), repeating: .nanoseconds(interval), leeway: .milliseconds(1))
        timer.setEventHandler { [self] in
            guard let answer = try? ControlClient.request("GET", registrar, feed.query, timeout: timeout, token: nil),
                  answer.status == 200, let value = try? answer.value() else {
                apply(.unanswered)
                return
            }
            switch feed.accept(value) {
            case .success(let accepted): apply(.accepted(accepted))
            case .failure(let refusal): apply(.refused(refusal))
            }
        }
        self.timer = timer
        timer.resume()
    }

    func stopPolling() {
        timer?.cancel()
        timer = nil
        renewalTimer?.cancel()
        renewalTimer = nil
    }

    /// A host under `key-epoch`: every quarter period, off the loop, asks its registrar for
    /// the keys of the current and the next epoch it does not hold yet (`POST /source-key`,
    /// signed with its identity), so each epoch's key is there before its boundary; `install`
    /// gets each answer on the loop.
    func startRenewing(_ install: @escaping @Sendable (_ epoch: UInt64, _ key: SourceKey?) -> Void) {
        guard let settings, let period = settings.keyEpoch.map(UInt64.init), let registrar = settings.registrar,
              let identity, let address = enrolment?.address else { return }
        let timer = DispatchSource.makeTimerSource(queue: queue)
        var fetched: Set<UInt64> = []
        timer.schedule(deadline: .now(), repeating: .nanoseconds(Int(max(period / 4, 10_000_000))), leeway: .milliseconds(1))
        timer.setEventHandler {
            let current = unixNanoseconds() / period
            for number in [current, current + 1] where !fetched.contains(number) {
                let key = try? EnrolmentClient.sourceKey(registrar: registrar, identity: identity, address: address, epoch: number)
                if key != nil { fetched.insert(number) }
                install(number, key)
            }
            fetched = fetched.filter { $0 + 1 >= current }
        }
        renewalTimer = timer
        timer.resume()
    }

    /// A fetched key of epoch `number` (on the loop); keeps the last few.
    func install(epoch number: UInt64, key: SourceKey?) {
        guard let key else {
            renewalFailures += 1
            return
        }
        renewals += 1
        epochKeys[number] = key
        epochKeys = epochKeys.filter { $0.key + 1 >= number }
    }

    /// One poll of the registrar: no answer, an answer refused whole, or what was accepted.
    enum PollOutcome: Sendable {
        case unanswered
        case refused(RevocationFeed.Refusal)
        case accepted(RevocationFeed.Accepted)
    }
}

extension Node {
    /// Starts following the registrar (a first hop with `registrar:`); called by `start`.
    func startSecurity() {
        security.startPolling { [self] answer in
            loop.execute { [self] in applyRevocations(answer) }
        }
        security.startRenewing { [self] epoch, key in
            loop.execute { [self] in
                if key == nil { logProblem(appIndex, "the registrar gave no source key for epoch \(epoch)", now: Self.now()) }
                security.install(epoch: epoch, key: key)
            }
        }
        if config.spoofer {
            logger.warning("spoofer: the application port lets applications send from any source address")
        }
        if let settings = security.settings, settings.registrar != nil, settings.logKey == nil {
            logger.warning("revocations are taken from the registrar unverified: add `log-key:` (the registrar's log key) to `security:`")
        }
        if let enrolment = security.enrolment {
            logger.info("sealing as enrolled", metadata: ["address": "\(enrolment.address)", "domain": "\(enrolment.domain)",
                                                           "epoch": "\(enrolment.sourceKey.epoch)"])
        }
    }

    private func applyRevocations(_ outcome: NodeSecurityState.PollOutcome) {
        let registrar = security.settings?.registrar?.description ?? "?"
        switch outcome {
        case .unanswered:
            security.pollFailures += 1
            logProblem(appIndex, "the registrar \(registrar) did not answer /revocations", now: Self.now())
        case .refused(let refusal):
            security.refusedAnswers += 1
            logProblem(appIndex, "the answer of the registrar \(registrar) was refused: \(refusal)", now: Self.now())
        case .accepted(let accepted):
            security.polls += 1
            security.lastPollUnix = unixNanoseconds()
            security.lastCheckpoint = accepted.checkpoint
            for (index, reason) in accepted.refused {
                security.unprovenRevocations += 1
                logProblem(appIndex, "revocation at log index \(index) from the registrar \(registrar) refused: \(reason)", now: Self.now())
            }
            for (address, index) in accepted.revocations where dataPlane.core.revoke(address) {
                security.revokedByRegistrar.append((address.description, index))
                logger.notice("source revoked by the registrar", metadata: ["address": "\(address)", "log_index": "\(index)",
                                                                             "checkpoint_size": "\(accepted.checkpoint.size)"])
            }
        }
    }

    /// `GET /security`: what this node checks or seals, and what it learnt from the registrar.
    func securityJSON() -> JSONValue {
        var members: [(String, JSONValue)] = []
        let authentication = dataPlane.core.sourceAuthentication
        members.append(("admission", .string(authentication.map { $0.admission.rawValue } ?? "none")))
        if let authentication {
            members.append(("first_hop", .array(authentication.firstHopInterfaces.sorted().map { .string(interfaceName($0)) })))
            members.append(("window_ms", .int(Int(authentication.verifier.window / 1_000_000))))
            members.append(("proven", .int(dataPlane.core.sourceProofs.proven)))
            members.append(("unproven", .int(dataPlane.core.sourceProofs.unproven)))
            members.append(("revoked", .int(authentication.revoked.count)))
            members.append(("refusal_notices", .int(dataPlane.core.answered.refusalNotices)))
            members.append(("revoked_addresses", .array(authentication.revoked.map(\.description).sorted().map { .string($0) })))
        }
        if let registrar = security.settings?.registrar {
            var poll: [(String, JSONValue)] = [
                ("registrar", .string(registrar.description)), ("polls", .int(security.polls)), ("poll_failures", .int(security.pollFailures)),
                ("log_verified", .bool(security.settings?.logKey != nil)), ("refused_answers", .int(security.refusedAnswers)),
                ("unproven_revocations", .int(security.unprovenRevocations)),
            ]
            if let checkpoint = security.lastCheckpoint {
                poll += [("checkpoint_origin", .string(checkpoint.origin)), ("checkpoint_size", .int(checkpoint.size)),
                         ("checkpoint_root", .string(checkpoint.root.base64)), ("checkpoint_seen_unix_ns", .unsigned(security.lastPollUnix))]
            }
            members.append(("revocations", .object(poll)))
        }
        if let enrolment = security.enrolment {
            members.append(("enrolled", .object([
                ("address", .string(enrolment.address.description)), ("domain", .string(enrolment.domain)),
                ("serial", .unsigned(enrolment.certificate.serial)), ("not_after", .unsigned(enrolment.certificate.notAfter)),
                ("epoch", .int(Int(enrolment.sourceKey.epoch))), ("sealed", .int(security.sealed)),
                ("renewals", .int(security.renewals)), ("renewal_failures", .int(security.renewalFailures)),
                ("seal_failures", .int(security.sealFailures)),
            ])))
        }
        members.append(("auth", .object([
            ("token_required", .bool(security.authToken != nil)), ("control_refused", .int(security.controlRefused)),
            ("app_refused", .int(security.appRefused)),
        ])))
        return .object(members)
    }
}
