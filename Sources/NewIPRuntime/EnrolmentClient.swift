import Crypto
import Foundation
import NewIPJSON
import NewIPSecurity
import NewIPTopology
import NewIPWire

/// A device's side of enrolment (`nip enrol`): a request signed by the device key, the
/// registrar's answer checked (the certificate verifies with the registrar key and binds the
/// device's key to the address asked for), or its signed refusal.
public enum EnrolmentClient {
    public enum Outcome: Sendable {
        case granted(Enrolment)
        /// The registrar's machine-readable reason, its signed statement and whether the
        /// signature verifies with `registrarKey` (when one was given).
        case refused(reason: String, statement: String, signatureValid: Bool?)
    }

    /// The request body: `{"request": "<one-line JSON: key, address, token, time>", "signature": "<hex>"}`.
    public static func requestBody(identity: DeviceIdentity, address: FrameworkAddress, token: String, now: UInt64 = unixNanoseconds()) -> String {
        let request = JSONValue.object([
            ("key", .string(hex(identity.publicKey))), ("address", .string(address.description)),
            ("token", .string(token)), ("time", .unsigned(now / 1_000_000_000)),
        ]).serialized
        let signature = identity.sign(RegistrarMessages.requestContext + Array(request.utf8))
        return JSONValue.object([("request", .string(request)), ("signature", .string(hex(signature)))]).serialized
    }

    /// The source key of `address` for epoch `number` (`POST /source-key`, signed by the key
    /// the address was enrolled with): how a host moves to each epoch's key under `key-epoch`.
    public static func sourceKey(registrar: NodeConfig.Endpoint, identity: DeviceIdentity, address: FrameworkAddress,
                                 epoch number: UInt64, timeout: Double = 1) throws -> SourceKey {
        let request = JSONValue.object([
            ("address", .string(address.description)), ("epoch", .unsigned(number)), ("time", .unsigned(unixNanoseconds() / 1_000_000_000)),
        ]).serialized
        let signature = identity.sign(RegistrarMessages.sourceKeyContext + Array(request.utf8))
        let body = JSONValue.object([("request", .string(request)), ("signature", .string(hex(signature)))]).serialized
        let response = try ControlClient.request("POST", registrar, "/source-key", body: body, timeout: timeout, token: nil)
        let value = try response.value()
        guard response.status == 200, let epoch = value["epoch"]?.intValue.flatMap(UInt8.init(exactly:)),
              let key = value["source_key"]?.stringValue.flatMap({ parseHexBytes($0) }), key.count == 16 else {
            throw SecurityFileError("\(response.request) answered \(response.status): \(value["refused"]?.stringValue ?? response.body)")
        }
        return SourceKey(epoch: epoch, key: SymmetricKey(data: key))
    }

    /// Enrols `identity` for `address` at `registrar`. `registrarKey` (hex-decoded), when known
    /// beforehand, must be the key that signed the certificate; else the answer's key is taken
    /// (trust on first use) and the certificate is checked against it.
    public static func enrol(registrar: NodeConfig.Endpoint, identity: DeviceIdentity, address: FrameworkAddress, token: String,
                             registrarKey: [UInt8]? = nil) throws -> Outcome {
        let response = try ControlClient.request("POST", registrar, "/enrol", body: requestBody(identity: identity, address: address, token: token),
                                                 token: nil)
        let value = try response.value()
        if let reason = value["refused"]?.stringValue {
            let statement = value["statement"]?.stringValue ?? ""
            let valid = registrarKey.map { key in
                RegistrarMessages.verifyRefusal(statement: statement, signature: parseHexBytes(value["signature"]?.stringValue ?? "") ?? [],
                                                registrarKey: key)
            }
            return .refused(reason: reason, statement: statement, signatureValid: valid)
        }
        guard response.status == 200 else { throw SecurityFileError("\(response.request) answered \(response.status): \(response.errorMessage)") }
        guard let domain = value["domain"]?.stringValue,
              let certificateBytes = value["certificate"]?.stringValue.flatMap({ parseHexBytes($0) }),
              let answeredKey = value["registrar_key"]?.stringValue.flatMap({ parseHexBytes($0) }), answeredKey.count == 32,
              let epoch = value["epoch"]?.intValue.flatMap(UInt8.init(exactly:)),
              let sourceKey = value["source_key"]?.stringValue.flatMap({ parseHexBytes($0) }), sourceKey.count == 16 else {
            throw SecurityFileError("the answer to \(response.request) lacks a field enrolment needs: \(response.body)")
        }
        let key = registrarKey ?? answeredKey
        guard key == answeredKey else { throw SecurityFileError("the registrar answered with another key than the one given") }
        let certificate: AddressCertificate
        do { certificate = try AddressCertificate(parsing: certificateBytes) } catch {
            throw SecurityFileError("the registrar's certificate does not decode: \(error)")
        }
        let verdict = certificate.verify(registrarKey: key, domain: domain, now: unixNanoseconds() / 1_000_000_000)
        guard verdict == .valid else { throw SecurityFileError("the registrar's certificate does not verify: \(verdict)") }
        guard certificate.subjectKey == identity.publicKey, certificate.covers(address) else {
            throw SecurityFileError("the certificate binds another key or address than the ones asked for")
        }
        return .granted(Enrolment(domain: domain, address: address, registrarKey: key, certificate: certificate,
                                  sourceKey: SourceKey(epoch: epoch, key: SymmetricKey(data: sourceKey)),
                                  logIndex: value["log_index"]?.intValue ?? -1))
    }
}
