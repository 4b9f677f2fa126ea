//! Certificates made in the test with rcgen: a CA, server leaves (valid, expiring soon, expired,
//! for the wrong name), an untrusted self-signed leaf, and client certificates. Nothing touches
//! the clock: validity is set on the certificate itself.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use time::{Duration, OffsetDateTime};

/// A CA in a temp dir (ca.pem), and the certificates it issues there.
pub struct Pki {
    /// Where every file is written (mode 0755 so servers run as other users can read).
    pub dir: tempfile::TempDir,
    issuer: Issuer<'static, KeyPair>,
}

/// A certificate and its key on disk.
#[derive(Clone)]
pub struct Pair {
    /// PEM certificate.
    pub cert: PathBuf,
    /// PEM key (mode 0600).
    pub key: PathBuf,
}

impl Pki {
    /// A fresh CA, written to ca.pem.
    pub fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "statectl test CA");
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().unwrap();
        let cert = params.self_signed(&key).unwrap();
        std::fs::write(dir.path().join("ca.pem"), cert.pem()).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        Pki {
            dir,
            issuer: Issuer::new(params, key),
        }
    }

    /// The CA certificate file.
    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// A server certificate for `names` (DNS names or IP addresses), valid from yesterday for
    /// `days` days from now (negative: already expired), signed by the CA.
    pub fn server(&self, file: &str, names: &[&str], days: i64) -> Pair {
        let cn = names.first().copied().unwrap_or(file);
        self.issue(
            file,
            cn,
            names,
            days,
            ExtendedKeyUsagePurpose::ServerAuth,
            true,
        )
    }

    /// A client certificate with CN `user`, signed by the CA.
    pub fn client(&self, file: &str, user: &str) -> Pair {
        // CN is what PostgreSQL's clientcert=verify-full compares with the user
        self.issue(
            file,
            user,
            &[],
            365,
            ExtendedKeyUsagePurpose::ClientAuth,
            true,
        )
    }

    /// A self-signed leaf no CA vouches for.
    pub fn untrusted(&self, file: &str, names: &[&str]) -> Pair {
        let cn = names.first().copied().unwrap_or(file);
        self.issue(
            file,
            cn,
            names,
            365,
            ExtendedKeyUsagePurpose::ServerAuth,
            false,
        )
    }

    fn issue(
        &self,
        file: &str,
        cn: &str,
        names: &[&str],
        days: i64,
        usage: ExtendedKeyUsagePurpose,
        signed: bool,
    ) -> Pair {
        let mut params =
            CertificateParams::new(names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .unwrap();
        params.distinguished_name.push(DnType::CommonName, cn);
        params.extended_key_usages = vec![usage];
        let now = OffsetDateTime::now_utc();
        params.not_before = now - Duration::days(2).max(Duration::days(1 - days));
        params.not_after = now + Duration::days(days);
        let key = KeyPair::generate().unwrap();
        let cert = if signed {
            params.signed_by(&key, &self.issuer).unwrap()
        } else {
            params.self_signed(&key).unwrap()
        };
        let pair = Pair {
            cert: self.dir.path().join(format!("{file}.crt")),
            key: self.dir.path().join(format!("{file}.key")),
        };
        write_pair(&pair, &cert.pem(), &key.serialize_pem());
        pair
    }
}

fn write_pair(p: &Pair, cert: &str, key: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(&p.cert, cert).unwrap();
    std::fs::write(&p.key, key).unwrap();
    std::fs::set_permissions(&p.key, std::fs::Permissions::from_mode(0o600)).unwrap();
}

/// Gives the pair's files to the postgres OS user (its server refuses a key others can read
/// and must be able to read it itself).
pub fn give_pair_to_postgres(p: &Pair) {
    for f in [&p.cert, &p.key] {
        super::give_to_postgres(Path::new(f));
    }
}
