//! TLS clients, one way for every subcommand: which CAs are trusted (the system store, as
//! redis-cli and psql do, or a CA file), how much is verified (nothing for `#insecure`, the chain
//! for `sslmode=verify-ca`, chain and host name otherwise), and an optional client certificate.
//! Files are read when the settings are made, so a bad path is a usage error naming it.
//! `report` makes the live handshake the `redis.tls` and `postgres.tls` checks judge.

pub use statectl_core::cert;
pub mod stream;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::SignatureScheme;
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore};
use tokio::net::TcpStream;

pub use stream::Stream;

use crate::observe::{ProbeError, TlsReason};

/// How much of the server's certificate is verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verify {
    /// Nothing (`#insecure`; libpq's `require` and `prefer` without a root certificate).
    None,
    /// The chain up to a trusted CA, not the host name (libpq's `verify-ca`).
    Chain,
    /// The chain and the host name (rediss://, libpq's `verify-full`).
    Full,
}

/// Which CAs are trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Roots {
    /// The system store (SSL_CERT_FILE and SSL_CERT_DIR honoured), as OpenSSL clients do.
    System,
    /// Only the CAs in this PEM file.
    File(PathBuf),
}

/// What a client is asked to do, before any file is read.
#[derive(Debug, Clone)]
pub struct TlsOptions {
    /// How much to verify.
    pub verify: Verify,
    /// Which CAs to trust.
    pub roots: Roots,
    /// A client certificate chain (PEM), for servers that authenticate clients.
    pub cert: Option<PathBuf>,
    /// Its private key (PEM).
    pub key: Option<PathBuf>,
    /// What the user calls each file, for messages: the CA, certificate and key options.
    pub names: OptionNames,
}

/// How the user names the CA, certificate and key options (`--tls-ca` or `sslrootcert` …).
#[derive(Debug, Clone, Copy)]
pub struct OptionNames {
    /// The CA option.
    pub ca: &'static str,
    /// The client certificate option.
    pub cert: &'static str,
    /// The client key option.
    pub key: &'static str,
}

/// Redis's options: the flags, or the URL's query parameters of the same meaning.
pub const REDIS_NAMES: OptionNames = OptionNames {
    ca: "--tls-ca",
    cert: "--tls-cert",
    key: "--tls-key",
};

/// The API edge's options.
pub const HTTP_NAMES: OptionNames = OptionNames {
    ca: "--http-ca",
    cert: "--http-cert",
    key: "--http-key",
};

/// libpq's options.
pub const PG_NAMES: OptionNames = OptionNames {
    ca: "sslrootcert",
    cert: "sslcert",
    key: "sslkey",
};

/// A ready TLS client: files read, configuration built.
#[derive(Clone)]
pub struct TlsClient {
    /// What was asked.
    pub options: TlsOptions,
    roots: Arc<RootCertStore>,
    identity: Option<Arc<Identity>>,
    config: Arc<ClientConfig>,
}

struct Identity {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

impl std::fmt::Debug for TlsClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // never the key
        f.debug_struct("TlsClient")
            .field("verify", &self.options.verify)
            .field("roots", &self.options.roots)
            .field("cert", &self.options.cert)
            .finish()
    }
}

/// The crypto provider every client uses.
pub fn provider() -> Arc<CryptoProvider> {
    static P: OnceLock<Arc<CryptoProvider>> = OnceLock::new();
    P.get_or_init(|| Arc::new(rustls::crypto::ring::default_provider()))
        .clone()
}

/// The system's trusted CAs, read once. With none found (a container without ca-certificates)
/// the compiled-in webpki roots stand in.
fn system_roots() -> Arc<RootCertStore> {
    static R: OnceLock<Arc<RootCertStore>> = OnceLock::new();
    R.get_or_init(|| {
        let found = rustls_native_certs::load_native_certs();
        let mut store = RootCertStore::empty();
        let (added, _) = store.add_parsable_certificates(found.certs);
        if added == 0 {
            tracing::debug!("tls: no system CA certificates found; using the webpki roots");
            store.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        }
        Arc::new(store)
    })
    .clone()
}

/// Reads every certificate of a PEM file; the error names the file and the option.
pub fn read_certs(path: &Path, option: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let what = |e: &dyn std::fmt::Display| format!("{option} {}: {e}", path.display());
    let pem = crate::input::read_capped(path, crate::input::PEM_CAP).map_err(|e| what(&e))?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| what(&pem_words(e)))?;
    if certs.is_empty() {
        return Err(what(&"no PEM certificate in it"));
    }
    Ok(certs)
}

/// Reads a PEM private key; the error names the file but never shows its content.
pub fn read_key(path: &Path, option: &str) -> Result<PrivateKeyDer<'static>, String> {
    let what = |e: &dyn std::fmt::Display| format!("{option} {}: {e}", path.display());
    let pem = crate::input::read_capped(path, crate::input::PEM_CAP).map_err(|e| what(&e))?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| what(&pem_words(e)))
}

fn pem_words(e: rustls::pki_types::pem::Error) -> String {
    use rustls::pki_types::pem::Error as E;
    match e {
        E::Io(e) => e.to_string(),
        E::NoItemsFound => "no PEM private key in it".into(),
        E::MissingSectionEnd { .. } | E::IllegalSectionStart { .. } => {
            "not a valid PEM file (a section is not closed)".into()
        }
        E::Base64Decode(_) => "not a valid PEM file (bad base64)".into(),
        _ => "not a valid PEM file".into(),
    }
}

impl TlsClient {
    /// Reads the files and builds the client; errors name the option and the file.
    pub fn new(options: TlsOptions) -> Result<TlsClient, String> {
        let roots = match &options.roots {
            // nothing is verified: no CA is read
            _ if options.verify == Verify::None => Arc::new(RootCertStore::empty()),
            Roots::System => system_roots(),
            Roots::File(p) => {
                let mut store = RootCertStore::empty();
                let (added, _) = store.add_parsable_certificates(read_certs(p, options.names.ca)?);
                if added == 0 {
                    return Err(format!(
                        "{} {}: no usable CA certificate in it",
                        options.names.ca,
                        p.display()
                    ));
                }
                Arc::new(store)
            }
        };
        let identity = match (&options.cert, &options.key) {
            (None, None) => None,
            (Some(_), None) => {
                return Err(format!(
                    "{} needs {} too (the client certificate's private key)",
                    options.names.cert, options.names.key
                ))
            }
            (None, Some(_)) => {
                return Err(format!(
                    "{} needs {} too (the client certificate)",
                    options.names.key, options.names.cert
                ))
            }
            (Some(c), Some(k)) => {
                let chain = read_certs(c, options.names.cert)?;
                let key = read_key(k, options.names.key)?;
                let signing = provider()
                    .key_provider
                    .load_private_key(key.clone_key())
                    .map_err(|_| {
                        format!(
                            "{} {}: unsupported private key type",
                            options.names.key,
                            k.display()
                        )
                    })?;
                let certified = rustls::sign::CertifiedKey::new(chain.clone(), signing);
                if certified.keys_match().is_err() {
                    return Err(format!(
                        "{} {} does not match {} {}",
                        options.names.key,
                        k.display(),
                        options.names.cert,
                        c.display()
                    ));
                }
                Some(Arc::new(Identity { chain, key }))
            }
        };
        let config = build(
            verifier(options.verify, &roots),
            identity.as_deref(),
            options.names,
        )?;
        Ok(TlsClient {
            options,
            roots,
            identity,
            config,
        })
    }

    /// The client's rustls configuration.
    pub fn config(&self) -> Arc<ClientConfig> {
        self.config.clone()
    }

    /// A configuration that verifies as this one would but lets the handshake finish, keeping
    /// the verdict: the live check judges a certificate it can also describe.
    pub fn recording(&self) -> (Arc<ClientConfig>, Arc<Recorder>) {
        let recorder = Arc::new(Recorder {
            inner: verifier(self.options.verify, &self.roots),
            verdict: Mutex::new(None),
        });
        let config = build(
            recorder.clone(),
            self.identity.as_deref(),
            self.options.names,
        )
        .unwrap_or_else(|_| self.config.clone());
        (config, recorder)
    }

    /// Opens TLS over `tcp`, naming the server `host` (SNI and the name verified).
    pub async fn connect(&self, tcp: TcpStream, host: &str) -> std::io::Result<Stream> {
        let name = server_name(host);
        let tls = tokio_rustls::TlsConnector::from(self.config.clone())
            .connect(name, tcp)
            .await?;
        Ok(Stream::Tls(Box::new(tls)))
    }

    /// Which CAs are trusted, for evidence: "the system store" or the option and file.
    pub fn trust(&self) -> String {
        match (&self.options.verify, &self.options.roots) {
            (Verify::None, _) => "none (certificate not verified)".into(),
            (_, Roots::System) => "the system CA store".into(),
            (_, Roots::File(p)) => format!("{} {}", self.options.names.ca, p.display()),
        }
    }

    /// Whether a client certificate is presented.
    pub fn has_client_cert(&self) -> bool {
        self.identity.is_some()
    }
}

/// The verifier `verify` asks for.
fn verifier(verify: Verify, roots: &Arc<RootCertStore>) -> Arc<dyn ServerCertVerifier> {
    let webpki = || -> Arc<dyn ServerCertVerifier> {
        WebPkiServerVerifier::builder_with_provider(roots.clone(), provider())
            .build()
            .expect("a non-empty root store builds")
    };
    match verify {
        Verify::None => Arc::new(NoVerification(provider())),
        Verify::Full => webpki(),
        Verify::Chain => Arc::new(ChainOnly(webpki())),
    }
}

fn build(
    verifier: Arc<dyn ServerCertVerifier>,
    identity: Option<&Identity>,
    names: OptionNames,
) -> Result<Arc<ClientConfig>, String> {
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .expect("ring supports the default protocol versions")
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let config = match identity {
        None => builder.with_no_client_auth(),
        Some(id) => builder
            .with_client_auth_cert(id.chain.clone(), id.key.clone_key())
            .map_err(|e| format!("{}: {e}", names.cert))?,
    };
    Ok(Arc::new(config))
}

/// A client that verifies nothing and presents nothing: for looking at whether a port speaks
/// TLS at all.
pub fn insecure() -> TlsClient {
    static C: OnceLock<TlsClient> = OnceLock::new();
    C.get_or_init(|| {
        TlsClient::new(TlsOptions {
            verify: Verify::None,
            roots: Roots::System,
            cert: None,
            key: None,
            names: REDIS_NAMES,
        })
        .expect("a client without files cannot fail")
    })
    .clone()
}

/// The name to verify: a DNS name, or an IP address; anything else is sent as "localhost".
pub fn server_name(host: &str) -> ServerName<'static> {
    ServerName::try_from(host.trim_matches(|c| c == '[' || c == ']').to_string())
        .unwrap_or_else(|_| ServerName::try_from("localhost").expect("a valid name"))
}

/// Accepts any certificate: only where the user asked for no verification.
#[derive(Debug)]
struct NoVerification(Arc<CryptoProvider>);

/// Verifies the chain but not the host name (libpq's verify-ca). webpki checks the chain before
/// the name, so a name error means the chain was good.
#[derive(Debug)]
struct ChainOnly(Arc<dyn ServerCertVerifier>);

/// Runs the real verifier, keeps its verdict, and lets the handshake go on.
#[derive(Debug)]
pub struct Recorder {
    inner: Arc<dyn ServerCertVerifier>,
    verdict: Mutex<Option<Result<(), rustls::Error>>>,
}

impl Recorder {
    /// The verdict on the server's certificate, once the handshake got that far.
    pub fn verdict(&self) -> Option<Result<(), rustls::Error>> {
        self.verdict.lock().ok()?.clone()
    }
}

macro_rules! signatures_by {
    ($get:expr) => {
        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls12_signature(
                message,
                cert,
                dss,
                &provider().signature_verification_algorithms,
            )
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(
                message,
                cert,
                dss,
                &provider().signature_verification_algorithms,
            )
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            #[allow(clippy::redundant_closure_call)]
            ($get)(self)
        }
    };
}

impl ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }
    signatures_by!(|s: &Self| s.0.signature_verification_algorithms.supported_schemes());
}

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        leaf: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(leaf, intermediates, name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }
    signatures_by!(|s: &Self| s.0.supported_verify_schemes());
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        leaf: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let v = self
            .inner
            .verify_server_cert(leaf, intermediates, name, ocsp, now)
            .map(|_| ());
        if let Ok(mut slot) = self.verdict.lock() {
            *slot = Some(v);
        }
        Ok(ServerCertVerified::assertion())
    }
    signatures_by!(|s: &Self| s.inner.supported_verify_schemes());
}

/// The rustls error inside an I/O error from a handshake or a read, if there is one; through
/// I/O errors wrapped in I/O errors too (hyper-util wraps tokio-rustls's, and an I/O error's
/// `source` skips the error it wraps).
pub fn rustls_error(e: &std::io::Error) -> Option<&rustls::Error> {
    let inner = e.get_ref()?;
    inner.downcast_ref::<rustls::Error>().or_else(|| {
        inner
            .downcast_ref::<std::io::Error>()
            .and_then(rustls_error)
    })
}

/// The rustls error anywhere in an error's chain (the redis and postgres crates wrap it).
pub fn find_rustls<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(r) = err.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        if let Some(r) = err.downcast_ref::<std::io::Error>().and_then(rustls_error) {
            return Some(r);
        }
        cur = err.source();
    }
    None
}

/// A TLS failure as a probe error; None when `e` holds no rustls error.
pub fn probe_error(addr: &str, e: &(dyn std::error::Error + 'static)) -> Option<ProbeError> {
    let (reason, detail) = describe(find_rustls(e)?);
    Some(ProbeError::Tls {
        addr: addr.to_string(),
        reason,
        detail,
    })
}

/// A TLS failure in plain words, with its kind.
pub fn describe(e: &rustls::Error) -> (TlsReason, String) {
    use rustls::AlertDescription as A;
    use rustls::Error as E;
    match e {
        E::InvalidCertificate(c) => describe_certificate(c),
        E::AlertReceived(A::CertificateRequired) => (
            TlsReason::ClientCertRequired,
            "the server requires a client certificate and none was presented".into(),
        ),
        E::AlertReceived(A::BadCertificate | A::UnknownCA | A::CertificateUnknown) => (
            TlsReason::ClientCertRejected,
            "the server rejected the client certificate (not signed by a CA it trusts)".into(),
        ),
        E::AlertReceived(A::ProtocolVersion) => (
            TlsReason::ProtocolVersion,
            "no TLS protocol version in common (this client speaks TLS 1.2 and 1.3)".into(),
        ),
        E::PeerIncompatible(p) if format!("{p:?}").contains("Tls12") => (
            TlsReason::ProtocolVersion,
            "no TLS protocol version in common: the server offers only TLS below 1.2".into(),
        ),
        E::AlertReceived(A::HandshakeFailure) => (
            TlsReason::Other,
            "the server aborted the handshake (no cipher suite or protocol version in common, or a client certificate it wanted)".into(),
        ),
        E::InvalidMessage(_) => (
            TlsReason::Other,
            "the peer's answer is not TLS".into(),
        ),
        other => (TlsReason::Other, format!("TLS failed: {other}")),
    }
}

fn describe_certificate(c: &CertificateError) -> (TlsReason, String) {
    use CertificateError as C;
    match c {
        C::UnknownIssuer => (
            TlsReason::UnknownIssuer,
            "unknown issuer: the certificate is not signed by a trusted CA".into(),
        ),
        C::NotValidForName => (
            TlsReason::NameMismatch,
            "the certificate is not valid for the host name".into(),
        ),
        C::NotValidForNameContext {
            expected,
            presented,
        } => (
            TlsReason::NameMismatch,
            format!(
                "the certificate is not valid for name {:?} (it names {})",
                expected.to_str(),
                if presented.is_empty() {
                    "nothing".to_string()
                } else {
                    presented
                        .iter()
                        .map(|p| presented_name(p))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ),
        ),
        C::Expired | C::ExpiredContext { .. } => {
            (TlsReason::Expired, "the certificate expired".into())
        }
        C::NotValidYet | C::NotValidYetContext { .. } => (
            TlsReason::NotYetValid,
            "the certificate is not valid yet".into(),
        ),
        C::BadSignature => (
            TlsReason::UnknownIssuer,
            "the certificate's signature does not verify".into(),
        ),
        C::Other(o) if format!("{o:?}").contains("CaUsedAsEndEntity") => (
            TlsReason::UnknownIssuer,
            "unknown issuer: the server presents a CA certificate as its own (self-signed); webpki trusts a CA only as an issuer, so serve a leaf certificate signed by that CA".into(),
        ),
        other => (
            TlsReason::Other,
            format!("the certificate was refused: {other}"),
        ),
    }
}

/// A name the certificate presents, as the user wrote it: rustls passes webpki's Debug text
/// (`DnsName("db.example.test")`, `IpAddress(10.0.0.1)`).
fn presented_name(p: &str) -> &str {
    match p.split_once('(') {
        Some((kind, rest)) if kind.chars().all(|c| c.is_ascii_alphabetic()) => {
            rest.strip_suffix(')').unwrap_or(rest).trim_matches('"')
        }
        _ => p,
    }
}
