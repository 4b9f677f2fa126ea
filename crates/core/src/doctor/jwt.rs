//! `jwt.*`: the signing keys the API nodes publish: the same set everywhere, strong algorithms,
//! room to rotate, and the signing key among them.

use std::collections::{BTreeMap, BTreeSet};

use super::{Area, Check, Ctx, Eval, Tag};
use crate::model::{Status, Verdict};
use crate::observe::jwt::{JwtObservation, KeySummary};

/// The JWT checks, in report order.
pub static CHECKS: &[Check] = &[
    Check {
        id: "jwt.key_drift",
        area: Area::Jwt,
        tags: &[Tag::Doctor],
        doc: "the --jwks endpoints do not serve the same keys, matched by RFC 7638 thumbprint first and kid second: fail, naming per node the keys it lacks, a kid that names different keys, or a key under different kids; a key without its kid on some nodes only: warn; an endpoint that cannot be read: error, with its TLS failure kind",
        full: false,
        eval: Eval::Jwt(key_drift),
    },
    Check {
        id: "jwt.key_match",
        area: Area::Jwt,
        tags: &[Tag::Doctor],
        doc: "a token signed with --jwt-private-key does not verify under any key a node publishes, or --jwt-public-key's thumbprint is not published: fail, naming the node; keys matched with or without a kid; published keys statectl cannot verify with (X25519 or other use enc keys, secp256k1, P-521) are named under skipped with the reason, never counted; a private key it cannot sign with (P-521, secp256k1, X25519): skip with the reason; without either flag: skip",
        full: false,
        eval: Eval::Jwt(key_match),
    },
    Check {
        id: "jwt.algorithm",
        area: Area::Jwt,
        tags: &[Tag::Doctor],
        doc: "published keys are RS256/PS256/ES256/EdDSA-capable: an RSA key below {jwt.min_rsa_bits} bits, a shared secret (kty oct, HS*) or alg none fails; a key whose x5c leaf certificate holds another public key than the JWK's fails, an expired or unreadable x5c leaf warns; every key is named in the evidence (kty, crv, bits, alg, use), those statectl cannot verify with (X25519 use enc, secp256k1, P-521) with the reason they are skipped",
        full: false,
        eval: Eval::Jwt(algorithm),
    },
    Check {
        id: "jwt.private_members",
        area: Area::Jwt,
        tags: &[Tag::Doctor],
        doc: "a published key carries private members (d, p, q, dp, dq, qi, oth, or an oct key's k): fail, naming the node, the key (keys[i] and kid) and the members, never their values: anyone who reads the JWKS can sign tokens",
        full: false,
        eval: Eval::Jwt(private_members),
    },
    Check {
        id: "jwt.rotation",
        area: Area::Jwt,
        tags: &[Tag::Doctor],
        doc: "two different keys under one kid in a JWKS fail (a verifier picks either, so tokens fail at random); a JWKS with a single key and no kid warns: rotation needs overlapping keys told apart by kid",
        full: false,
        eval: Eval::Jwt(rotation),
    },
    Check {
        id: "jwt.sample_token",
        area: Area::Jwt,
        tags: &[Tag::Doctor],
        doc: "--jwt-sample-file: a token no published key verifies fails (Token Signature Invalid); alg none or HS* fails; a token of an algorithm or key statectl cannot verify (ES512, ES256K): skip with the reason; nbf or iat more than a minute ahead of this clock fails (the issuer's clock or claims are wrong: verifiers reject its fresh tokens); an expired token warns (the sample is stale, not the API wrong: take a fresh one); exp - iat above {jwt.max_token_lifetime_s} s warns; dates named, the token never printed; without the flag: skip",
        full: false,
        eval: Eval::Jwt(sample_token),
    },
];

fn sample_token(o: &JwtObservation, t: &Ctx) -> Verdict {
    let Some(s) = &o.sample else {
        return Verdict::skip("no --jwt-sample-file given");
    };
    let v = match &s.verified {
        // what is wrong with a symmetric or unsigned token is the algorithm, whatever verifies it
        _ if s.alg.eq_ignore_ascii_case("none") => {
            Verdict::new(Status::Fail, "the sample token is unsigned (alg none): anyone can forge one")
                .fix("Sign with RS256/PS256, ES256 or EdDSA, and have every verifier refuse alg none")
        }
        _ if s.alg.starts_with("HS") => {
            Verdict::new(Status::Fail, format!("the sample token is signed with {}, a shared secret: every service that can verify it can also forge one", s.alg))
                .fix("Sign with RS256/PS256, ES256 or EdDSA and publish the public key in the JWKS")
        }
        // an algorithm or key statectl cannot verify with: neither a pass nor a forged token
        _ if s.unverifiable.is_some() => Verdict::skip(format!(
            "the sample token ({}, kid {}) cannot be checked: {}",
            s.alg,
            s.kid.as_deref().unwrap_or("none"),
            s.unverifiable.as_deref().unwrap_or_default()
        )),
        Err(e) => Verdict::new(Status::Fail, format!("the sample token ({} kid {}): {e}", s.alg, s.kid.as_deref().unwrap_or("none")))
            .fix("Token Signature Invalid: the issuing node signs with a key the others do not publish; synchronize the public keys across nodes (jwt.key_drift) and publish before signing"),
        Ok(kid) => match dates(s) {
            Some(v) => v,
            None => match s.lifetime_s {
            Some(l) if l > t.jwt.max_token_lifetime_s => Verdict::new(
                Status::Warn,
                format!("the sample token ({}, kid {kid}) verifies but lives {l} s (exp - iat), above {} s", s.alg, t.jwt.max_token_lifetime_s),
            )
            .fix("Issue short-lived access tokens (15 minutes in the brief) and refresh them; a stolen token is then good for minutes, not hours"),
            _ => Verdict::pass(format!("the sample token ({}, kid {kid}) verifies under a published key", s.alg)),
            },
        },
    };
    let v = [("exp", s.exp), ("nbf", s.nbf), ("iat", s.iat)]
        .into_iter()
        .filter(|(_, t)| t.is_some())
        .fold(v, |v, (k, t)| v.with(k, crate::observe::log::utc(t)));
    v.with("alg", &s.alg)
        .with("kid", s.kid.as_deref().unwrap_or("none"))
        .with(
            "lifetime_s",
            s.lifetime_s.map_or("unknown".into(), |l| l.to_string()),
        )
}

/// A verified sample token's dates against the time they were read: nbf or iat ahead by more
/// than a minute (the usual leeway) fails, an exp that has passed warns.
fn dates(s: &crate::observe::jwt::TokenSummary) -> Option<Verdict> {
    const LEEWAY_S: i64 = 60;
    let now = s.checked_unix?;
    let utc = |t: i64| crate::observe::log::utc(Some(t));
    let ahead = [("not valid before", s.nbf), ("issued at", s.iat)]
        .into_iter()
        .find_map(|(what, t)| t.filter(|t| *t > now + LEEWAY_S).map(|t| (what, t)));
    if let Some((what, t)) = ahead {
        return Some(Verdict::new(Status::Fail, format!("the sample token ({}) is {what} {} ({} s from now): verifiers reject it until then", s.alg, utc(t), t - now))
            .fix("The issuer's clock is ahead (or it sets nbf/iat wrong): sync it with NTP (`timedatectl status`, `chronyc tracking`) and issue tokens with nbf/iat at the time of issue"));
    }
    let exp = s.exp.filter(|e| *e <= now)?;
    Some(Verdict::new(Status::Warn, format!("the sample token ({}) expired at {} ({} s ago): its signature verifies, but no verifier accepts it", s.alg, utc(exp), now - exp))
        .fix("Take a fresh token from the API for --jwt-sample-file; an expired sample says nothing about the tokens it issues now"))
}

/// The nodes whose keys could be read, with their keys; the error verdict when none could.
fn readable(o: &JwtObservation) -> Result<Vec<(&str, &[KeySummary])>, Verdict> {
    let ok: Vec<(&str, &[KeySummary])> = o
        .nodes
        .iter()
        .filter_map(|n| n.keys.as_deref().ok().map(|k| (n.url.as_str(), k)))
        .collect();
    if ok.is_empty() {
        let why = o
            .nodes
            .iter()
            .find_map(|n| n.keys.as_ref().err().map(|e| format!("{}: {e}", n.url)))
            .unwrap_or_else(|| "no --jwks given".into());
        return Err(Verdict::skip(format!("no JWKS could be read ({why})")));
    }
    Ok(ok)
}

fn key_drift(o: &JwtObservation, _: &Ctx) -> Verdict {
    if let Some(n) = o.nodes.iter().find(|n| n.keys.is_err()) {
        let e = n.keys.as_ref().err().map_or("", String::as_str);
        let summary = format!("the JWKS of {} could not be read: {e}", n.url);
        return match &n.tls {
            // its kind's remediation (the CA to trust with --http-ca, the certificate to renew …)
            Some(tls) => {
                let mut v = super::unreachable_verdict(tls, super::http::API.name, super::http::API.verify);
                v.status = Status::Error;
                v.summary = summary;
                v
            }
            None => Verdict::new(Status::Error, summary)
                .fix("Check that the node serves its JWKS (curl -sf URL | jq .keys) and that its certificate verifies (--http-ca)"),
        };
    }
    let nodes = match readable(o) {
        Ok(n) => n,
        Err(v) => return v,
    };
    if nodes.len() < 2 {
        return Verdict::skip("one JWKS: nothing to compare (give --jwks once per node)");
    }
    // keys are matched by their material (RFC 7638 thumbprint) first; kids second: per key,
    // the kid each node publishes it under
    type Kids<'a> = BTreeMap<&'a str, BTreeSet<Option<&'a str>>>;
    let per_node: Vec<(&str, Kids)> = nodes
        .iter()
        .map(|(url, keys)| {
            let mut m: Kids = BTreeMap::new();
            for k in keys.iter() {
                m.entry(&k.thumbprint).or_default().insert(k.kid.as_deref());
            }
            (*url, m)
        })
        .collect();
    let all: BTreeSet<&str> = per_node
        .iter()
        .flat_map(|(_, m)| m.keys().copied())
        .collect();
    // a key by every kid any node gives it, and the start of its thumbprint
    let label = |tp: &str| {
        let kids: BTreeSet<&str> = per_node
            .iter()
            .filter_map(|(_, m)| m.get(tp))
            .flatten()
            .flatten()
            .copied()
            .collect();
        let short = &tp[..tp.len().min(12)];
        if kids.is_empty() {
            format!("(no kid, thumbprint {short})")
        } else {
            format!(
                "{} (thumbprint {short})",
                kids.into_iter().collect::<Vec<_>>().join("/")
            )
        }
    };
    let mut v = Verdict::pass(format!(
        "{} nodes publish the same {} key(s)",
        nodes.len(),
        all.len()
    ));
    let short = |tp: &str| tp[..tp.len().min(12)].to_string();
    let mut fails = Vec::new();
    // kid second: one kid naming different material on different nodes
    let mut by_kid: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (_, m) in &per_node {
        for (tp, kids) in m {
            for kid in kids.iter().flatten() {
                by_kid.entry(kid).or_default().insert(tp);
            }
        }
    }
    for (kid, tps) in by_kid.iter().filter(|(_, t)| t.len() > 1) {
        let tps: Vec<String> = tps.iter().map(|t| short(t)).collect();
        fails.push(format!(
            "kid {kid} names different keys on different nodes (thumbprints {})",
            tps.join(", ")
        ));
    }
    for (url, m) in &per_node {
        let lacks: Vec<String> = all
            .iter()
            .filter(|tp| !m.contains_key(*tp))
            .map(|tp| label(tp))
            .collect();
        let extra: Vec<String> = m
            .keys()
            .filter(|tp| per_node.iter().any(|(_, o)| !o.contains_key(*tp)))
            .map(|tp| label(tp))
            .collect();
        let mut said = Vec::new();
        if !lacks.is_empty() {
            said.push(format!("lacks {}", lacks.join(", ")));
            fails.push(format!("{url} lacks {}", lacks.join(", ")));
        }
        if !extra.is_empty() {
            said.push(format!("has what another node lacks: {}", extra.join(", ")));
        }
        if !said.is_empty() {
            v = v.with(url.to_string(), said.join("; "));
        }
    }
    let mut warns = Vec::new();
    // the same key under other kids: a token's kid finds it on some nodes only
    for tp in &all {
        let kids: Vec<(&str, Option<&str>)> = per_node
            .iter()
            .filter_map(|(url, m)| m.get(tp).map(|k| (*url, k)))
            .flat_map(|(url, k)| k.iter().map(move |kid| (url, *kid)))
            .collect();
        let named: BTreeSet<&str> = kids.iter().filter_map(|(_, k)| *k).collect();
        let bare: Vec<&str> = kids
            .iter()
            .filter(|(_, k)| k.is_none())
            .map(|(u, _)| *u)
            .collect();
        if named.len() > 1 {
            fails.push(format!(
                "one key (thumbprint {}) is published under different kids ({}): a token's kid finds it on some nodes only",
                short(tp),
                named.into_iter().collect::<Vec<_>>().join(", ")
            ));
        } else if let (Some(kid), false) = (named.first(), bare.is_empty()) {
            warns.push(format!(
                "the same key (thumbprint {}) is published as kid {kid} elsewhere but without a kid on {}: not a drift, but a verifier that looks keys up by the token's kid may not find it there",
                short(tp),
                bare.join(", ")
            ));
        }
    }
    if !fails.is_empty() {
        v.escalate(Status::Fail, fails.join("; "), "Synchronize the public keys across nodes: publish the same JWKS everywhere (one source, e.g. a shared secret store or config push), add a new key everywhere before signing with it, and remove an old one only after its tokens expire; tokens signed on one node otherwise fail on another (Token Signature Invalid, in /var/log/nginx/error.log)");
    } else if !warns.is_empty() {
        v.escalate(
            Status::Warn,
            warns.join("; "),
            "Publish each key under the same kid on every node (one JWKS everywhere)",
        );
    }
    v
}

fn key_match(o: &JwtObservation, t: &Ctx) -> Verdict {
    // each key given is judged; the worse verdict stands
    let verdicts: Vec<Verdict> = [&o.private_key, &o.public_key]
        .into_iter()
        .flatten()
        .map(|m| one_key_match(m, t))
        .collect();
    let v = verdicts
        .into_iter()
        .max_by_key(|v| v.status)
        .unwrap_or_else(|| Verdict::skip("no --jwt-private-key or --jwt-public-key given"));
    // a signed test token is tried on the keys statectl can verify with; the others are named
    match &o.private_key {
        Some(m) if m.unsupported.is_none() && m.matches.is_ok() => match unverifiable(o) {
            Some(skipped) => v.with("skipped", skipped),
            None => v,
        },
        _ => v,
    }
}

/// The published keys statectl cannot verify a token with, each once, with the reason
/// ("p521: P-521 (ES512): … ; x25519: an encryption key …").
fn unverifiable(o: &JwtObservation) -> Option<String> {
    let mut seen = BTreeSet::new();
    let said: Vec<String> = o
        .nodes
        .iter()
        .filter_map(|n| n.keys.as_ref().ok())
        .flatten()
        .filter(|k| seen.insert(k.thumbprint.as_str()))
        .filter_map(|k| Some(format!("{}: {}", k.name(), k.unverifiable.as_ref()?)))
        .collect();
    (!said.is_empty()).then(|| said.join("; "))
}

fn one_key_match(m: &crate::observe::jwt::KeyMatch, _: &Ctx) -> Verdict {
    if let Some(why) = &m.unsupported {
        return Verdict::skip(format!("{}: {why}", m.file)).with("alg", &m.alg);
    }
    let matches = match &m.matches {
        Ok(x) => x,
        Err(e) => return Verdict::new(Status::Error, format!("{}: {e}", m.file)),
    };
    let missing: Vec<&str> = matches
        .iter()
        .filter(|(_, kids)| kids.is_empty())
        .map(|(u, _)| u.as_str())
        .collect();
    let v = if matches.is_empty() {
        Verdict::skip("no JWKS could be read to match the key against")
    } else if missing.is_empty() {
        Verdict::pass(format!(
            "every node publishes the public half of {} ({}: kid {})",
            m.file,
            m.alg,
            matches[0].1.join(", ")
        ))
    } else {
        Verdict::new(
            Status::Fail,
            format!(
                "the public half of {} ({}) is not published by {}",
                m.file,
                m.alg,
                missing.join(", ")
            ),
        )
        .fix("Publish the signing key's public half (with its kid) in every node's JWKS before the node signs with it; verify by decoding a fresh token's kid against `curl -s URL | jq '.keys[].kid'`")
    };
    v.with("alg", &m.alg)
}

fn algorithm(o: &JwtObservation, t: &Ctx) -> Verdict {
    let nodes = match readable(o) {
        Ok(n) => n,
        Err(v) => return v,
    };
    let mut v = Verdict::pass("every published key is asymmetric and strong enough");
    let mut seen = BTreeSet::new();
    for (url, keys) in nodes {
        for k in keys {
            if !seen.insert(k.thumbprint.clone()) {
                continue;
            }
            let alg = k.alg.as_deref().unwrap_or("");
            let bad = if k.kty == "oct" || alg.starts_with("HS") {
                Some(format!("{url} publishes a shared secret (kty oct{}), kid {}: anyone who reads the JWKS can sign tokens", if alg.is_empty() { String::new() } else { format!(", alg {alg}") }, k.name()))
            } else if alg.eq_ignore_ascii_case("none") {
                Some(format!("{url} publishes kid {} with alg none", k.name()))
            } else if k.kty == "RSA" && k.bits.is_some_and(|b| b < t.jwt.min_rsa_bits) {
                Some(format!(
                    "{url}: kid {} is a {}-bit RSA key (below {})",
                    k.name(),
                    k.bits.unwrap_or(0),
                    t.jwt.min_rsa_bits
                ))
            } else {
                None
            };
            if let Some(msg) = bad {
                v.escalate(Status::Fail, msg, "Sign with RS256/PS256 (RSA of 2048 bits or more), ES256 or EdDSA; never publish an HMAC secret; rotate the weak key out (publish the new one, sign with it, drop the old one after its tokens expire)");
            }
            let mut said = format!(
                "{}{}{}{}{}",
                k.kty,
                k.curve
                    .as_ref()
                    .map(|c| format!(" {c}"))
                    .unwrap_or_default(),
                k.bits.map(|b| format!(" {b} bits")).unwrap_or_default(),
                k.alg.as_ref().map(|a| format!(" {a}")).unwrap_or_default(),
                k.key_use
                    .as_ref()
                    .map(|u| format!(" use {u}"))
                    .unwrap_or_default()
            );
            if let Some(why) = &k.unverifiable {
                said.push_str(&format!("; skipped for verification: {why}"));
            }
            if let Some(x) = &k.x5c {
                said.push_str(&format!("; {}", x5c(&mut v, url, k, x)));
            }
            v = v.with(k.name(), said);
        }
    }
    v
}

/// A key's x5c leaf, judged: a leaf that holds another public key fails (a verifier that takes
/// the key from x5c uses that other key); an expired or unreadable leaf warns (a verifier that
/// validates x5c refuses the key). What its evidence says of it.
fn x5c(v: &mut Verdict, url: &str, k: &KeySummary, x: &crate::observe::jwt::X5cLeaf) -> String {
    let leaf = match &x.leaf {
        Ok(l) => l,
        Err(e) => {
            v.escalate(
                Status::Warn,
                format!("{url}: kid {}'s x5c cannot be read: {e}", k.name()),
                "Publish x5c as the standard-base64 DER certificates of the key (the leaf first, RFC 7517 section 4.7), or drop x5c",
            );
            return format!("x5c unreadable: {e}");
        }
    };
    let mut said = format!(
        "x5c leaf {} (of {} certificate(s)) until {}",
        leaf.subject, x.certs, leaf.not_after
    );
    match &x.same_key {
        Ok(true) => said.push_str(": holds this key"),
        Ok(false) => {
            said.push_str(&format!(": holds another key ({})", leaf.key));
            v.escalate(
                Status::Fail,
                format!("{url}: kid {}'s x5c leaf certificate ({}) holds another public key ({}) than the JWK's: a verifier that takes the key from x5c verifies with that other key", k.name(), leaf.subject, leaf.key),
                "Publish each key with the certificate of that same key in x5c (the leaf first), or drop x5c; verify with `openssl x509 -noout -pubkey` on the leaf against the JWK's n/e or x/y",
            );
        }
        Err(e) => said.push_str(&format!(": its key not compared ({e})")),
    }
    if leaf.not_after_unix < x.checked_unix {
        v.escalate(
            Status::Warn,
            format!("{url}: kid {}'s x5c leaf certificate ({}) expired at {}: a verifier that validates x5c refuses the key", k.name(), leaf.subject, leaf.not_after),
            "Renew the key's certificate and publish the new one in x5c (the leaf first), or drop x5c if no verifier uses it",
        );
        said.push_str(" (expired)");
    }
    said
}

fn private_members(o: &JwtObservation, _: &Ctx) -> Verdict {
    let nodes = match readable(o) {
        Ok(n) => n,
        Err(v) => return v,
    };
    let mut leaks: Vec<(String, String)> = Vec::new();
    for (url, keys) in &nodes {
        let found: Vec<String> = keys
            .iter()
            .enumerate()
            .filter(|(_, k)| !k.private_members.is_empty())
            .map(|(i, k)| {
                format!(
                    "keys[{i}] ({}): {}",
                    k.kid
                        .as_deref()
                        .map_or("no kid".into(), |kid| format!("kid {kid}")),
                    k.private_members.join(", ")
                )
            })
            .collect();
        if !found.is_empty() {
            leaks.push((url.to_string(), found.join("; ")));
        }
    }
    if leaks.is_empty() {
        return Verdict::pass("every published key carries its public members only");
    }
    let summary = leaks
        .iter()
        .map(|(url, keys)| format!("{url} publishes private key members: {keys}"))
        .collect::<Vec<_>>()
        .join("; ");
    let v = Verdict::new(
        Status::Fail,
        format!("{summary}: anyone who reads the JWKS can sign tokens"),
    )
    .fix("Publish only the public members (kty, kid, use, alg with n and e, or crv with x and y) and never a shared secret; the exposed keys are compromised: make new ones, publish their public halves, sign with them, then drop the old keys and revoke what they signed; verify with `curl -s URL | jq '[.keys[] | keys]'`");
    leaks
        .into_iter()
        .fold(v, |v, (url, keys)| v.with(url, keys))
}

fn rotation(o: &JwtObservation, _: &Ctx) -> Verdict {
    let nodes = match readable(o) {
        Ok(n) => n,
        Err(v) => return v,
    };
    // one kid, several keys: a verifier looks the kid up and takes whichever it finds first
    let mut clashes: Vec<(&str, &str, usize)> = Vec::new();
    for (url, keys) in &nodes {
        let mut by_kid: std::collections::BTreeMap<&str, BTreeSet<&str>> = Default::default();
        for k in keys.iter() {
            if let Some(kid) = &k.kid {
                by_kid.entry(kid).or_default().insert(&k.thumbprint);
            }
        }
        clashes.extend(
            by_kid
                .into_iter()
                .filter(|(_, t)| t.len() > 1)
                .map(|(kid, t)| (*url, kid, t.len())),
        );
    }
    if let Some((url, kid, n)) = clashes.first() {
        let v = Verdict::new(
            Status::Fail,
            format!("{url} publishes {n} different keys under kid {kid}: a verifier picks either, so tokens signed with the other fail"),
        )
        .fix("Give every key its own kid (a new kid for each new key, never reuse one) and publish the JWKS again; verify with `curl -s URL | jq '[.keys[].kid] | group_by(.) | map(select(length > 1))'`");
        return clashes.iter().fold(v, |v, (url, kid, n)| {
            v.with(format!("{url} kid {kid}"), format!("{n} keys"))
        });
    }
    match nodes.iter().find(|(_, k)| k.len() == 1 && k[0].kid.is_none()) {
        Some((url, _)) => Verdict::new(
            Status::Warn,
            format!("{url} publishes one key without a kid: a rotation cannot overlap old and new keys"),
        )
        .fix("Give every key a kid and publish the next key beside the current one before switching; keep the old one until the tokens it signed expire"),
        None => Verdict::pass("keys carry kids (or several are published): rotation can overlap"),
    }
}

/// The jwt area's evaluation (its entry's `evaluate`): the selected checks of its shapes
/// applied to its observations, each with its own context.
pub fn evaluate(
    checks: &[super::Check],
    obs: &crate::observe::Observations,
    ctx: &[super::Ctx<'_>],
    out: &mut Vec<crate::model::Finding>,
) {
    if let Some(o) = &obs.jwt {
        for (c, t) in checks.iter().zip(ctx) {
            if let super::Eval::Jwt(f) = c.eval {
                out.push(crate::model::Finding::new(c.id, &o.target, f(o, t)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Thresholds;
    use crate::observe::jwt::{JwksNode, KeyMatch};

    fn key(kid: Option<&str>, kty: &str, bits: Option<u32>, tp: &str) -> KeySummary {
        KeySummary {
            kid: kid.map(String::from),
            kty: kty.into(),
            alg: None,
            bits,
            curve: None,
            thumbprint: tp.into(),
            private_members: vec![],
            key_use: None,
            unverifiable: None,
            x5c: None,
        }
    }

    fn obs(nodes: Vec<Vec<KeySummary>>) -> JwtObservation {
        JwtObservation {
            target: "jwks".into(),
            nodes: nodes
                .into_iter()
                .enumerate()
                .map(|(i, keys)| JwksNode {
                    url: format!("https://node{}/jwks", i + 1),
                    keys: Ok(keys),
                    tls: None,
                })
                .collect(),
            private_key: None,
            public_key: None,
            sample: None,
        }
    }

    fn run(f: fn(&JwtObservation, &Ctx) -> Verdict, o: &JwtObservation) -> Verdict {
        f(o, &Ctx::of(&Thresholds::default()))
    }

    #[test]
    fn drift_names_the_node_and_the_kid() {
        let a = key(Some("k1"), "RSA", Some(2048), "t1");
        let b = key(Some("k2"), "RSA", Some(2048), "t2");
        assert_eq!(
            run(key_drift, &obs(vec![vec![a.clone()], vec![a.clone()]])).status,
            Status::Pass
        );
        let v = run(key_drift, &obs(vec![vec![a.clone()], vec![b.clone()]]));
        assert_eq!(v.status, Status::Fail);
        assert_eq!(
            v.summary,
            "https://node1/jwks lacks k2 (thumbprint t2); https://node2/jwks lacks k1 (thumbprint t1)"
        );
        // the same material without a kid on one node: matched by thumbprint, not a drift
        let bare = key(None, "RSA", Some(2048), "t1");
        let v = run(key_drift, &obs(vec![vec![bare], vec![a.clone()]]));
        assert!(
            v.status == Status::Warn && v.summary.contains("without a kid on https://node1/jwks"),
            "{}",
            v.summary
        );
        // same kid, other key material: drift too
        let a2 = key(Some("k1"), "RSA", Some(2048), "t9");
        assert_eq!(
            run(key_drift, &obs(vec![vec![a.clone()], vec![a2]])).status,
            Status::Fail
        );
        let mut down = obs(vec![vec![a.clone()], vec![a]]);
        down.nodes[1].keys = Err("connection refused".into());
        assert_eq!(run(key_drift, &down).status, Status::Error);
        // a certificate that does not verify: its kind, and the CA option of this client
        down.nodes[1].tls = Some(crate::observe::ProbeError::Tls {
            addr: "node2:443".into(),
            reason: crate::observe::TlsReason::UnknownIssuer,
            detail: "unknown issuer".into(),
        });
        let v = run(key_drift, &down);
        assert_eq!(v.status, Status::Error);
        assert!(v.remediation.contains("--http-ca FILE"), "{v:?}");
    }

    #[test]
    fn weak_and_symmetric_keys_fail() {
        let good = key(Some("k1"), "RSA", Some(2048), "t1");
        assert_eq!(
            run(algorithm, &obs(vec![vec![good.clone()]])).status,
            Status::Pass
        );
        let small = key(Some("old"), "RSA", Some(1024), "t2");
        let v = run(algorithm, &obs(vec![vec![good.clone(), small]]));
        assert!(
            v.status == Status::Fail && v.summary.contains("1024-bit"),
            "{}",
            v.summary
        );
        let hs = KeySummary {
            alg: Some("HS256".into()),
            ..key(Some("h"), "oct", None, "t3")
        };
        let v = run(algorithm, &obs(vec![vec![hs]]));
        assert!(
            v.status == Status::Fail && v.summary.contains("shared secret"),
            "{}",
            v.summary
        );
        let ec = KeySummary {
            curve: Some("P-256".into()),
            ..key(Some("e"), "EC", None, "t4")
        };
        assert_eq!(run(algorithm, &obs(vec![vec![ec]])).status, Status::Pass);
    }

    #[test]
    fn expired_and_future_samples_are_named_with_their_dates() {
        let mut o = obs(vec![vec![key(Some("k1"), "RSA", Some(2048), "t1")]]);
        let now = 1_796_601_600;
        let sample = |exp: Option<i64>, nbf: Option<i64>| crate::observe::jwt::TokenSummary {
            file: "t.jwt".into(),
            alg: "RS256".into(),
            kid: Some("k1".into()),
            verified: Ok("k1".into()),
            unverifiable: None,
            lifetime_s: None,
            exp,
            nbf,
            iat: None,
            checked_unix: Some(now),
        };
        o.sample = Some(sample(Some(now - 15 * 365 * 86400), None));
        let v = run(sample_token, &o);
        assert!(
            v.status == Status::Warn && v.summary.contains("expired at 2011-"),
            "{}",
            v.summary
        );
        o.sample = Some(sample(Some(now + 900), Some(now + 61)));
        assert_eq!(run(sample_token, &o).status, Status::Fail);
        o.sample = Some(sample(Some(now + 900), Some(now + 60)));
        assert_eq!(run(sample_token, &o).status, Status::Pass);
    }

    #[test]
    fn private_members_are_named_never_shown() {
        let public = key(Some("k1"), "RSA", Some(2048), "t1");
        assert_eq!(
            run(private_members, &obs(vec![vec![public.clone()]])).status,
            Status::Pass
        );
        let leaked = KeySummary {
            private_members: ["d", "p", "q", "dp", "dq", "qi"].map(String::from).to_vec(),
            ..key(None, "RSA", Some(2048), "t2")
        };
        let v = run(
            private_members,
            &obs(vec![vec![public.clone()], vec![public, leaked]]),
        );
        assert_eq!(v.status, Status::Fail);
        assert!(
            v.summary.starts_with(
                "https://node2/jwks publishes private key members: keys[1] (no kid): d, p, q, dp, dq, qi"
            ),
            "{}",
            v.summary
        );
    }

    #[test]
    fn rotation_and_key_match() {
        let lone = key(None, "RSA", Some(2048), "t1");
        assert_eq!(
            run(rotation, &obs(vec![vec![lone.clone()]])).status,
            Status::Warn
        );
        let named = key(Some("k"), "RSA", Some(2048), "t1");
        assert_eq!(
            run(rotation, &obs(vec![vec![named.clone()]])).status,
            Status::Pass
        );
        // two keys under one kid: a verifier picks either; the same key twice is harmless
        let other = key(Some("k"), "RSA", Some(2048), "t2");
        let v = run(
            rotation,
            &obs(vec![vec![named.clone()], vec![named.clone(), other]]),
        );
        assert!(
            v.status == Status::Fail
                && v.summary
                    .contains("https://node2/jwks publishes 2 different keys under kid k"),
            "{}",
            v.summary
        );
        assert_eq!(
            run(rotation, &obs(vec![vec![named.clone(), named.clone()]])).status,
            Status::Pass
        );
        let mut o = obs(vec![vec![lone.clone()], vec![lone]]);
        assert_eq!(run(key_match, &o).status, Status::Skip);
        o.private_key = Some(KeyMatch {
            file: "signing.pem".into(),
            alg: "RS256".into(),
            matches: Ok(vec![
                ("https://node1/jwks".into(), vec!["k".into()]),
                ("https://node2/jwks".into(), vec![]),
            ]),
            unsupported: None,
        });
        let v = run(key_match, &o);
        assert!(
            v.status == Status::Fail && v.summary.ends_with("https://node2/jwks"),
            "{}",
            v.summary
        );
    }

    /// Issue 28 #17: keys statectl cannot verify with are named with the reason in
    /// jwt.algorithm's and jwt.key_match's evidence, never counted and never an error; a
    /// private key it cannot sign with and a sample token it cannot verify are skips.
    #[test]
    fn unverifiable_keys_and_tokens_are_skipped_with_the_reason() {
        let rsa = key(Some("k1"), "RSA", Some(2048), "t1");
        let x = KeySummary {
            curve: Some("X25519".into()),
            key_use: Some("enc".into()),
            unverifiable: Some("an encryption key (use enc), not a signing key".into()),
            ..key(Some("x"), "OKP", None, "t2")
        };
        let mut o = obs(vec![vec![rsa, x]]);
        let v = run(algorithm, &o);
        assert_eq!(v.status, Status::Pass);
        assert!(v.evidence.iter().any(|e| e.key == "x"
            && e.value == "OKP X25519 use enc; skipped for verification: an encryption key (use enc), not a signing key"), "{v:?}");
        o.private_key = Some(KeyMatch {
            file: "signing.pem".into(),
            alg: "RS256".into(),
            matches: Ok(vec![("https://node1/jwks".into(), vec!["k1".into()])]),
            unsupported: None,
        });
        let v = run(key_match, &o);
        assert_eq!(v.status, Status::Pass);
        assert!(
            v.evidence
                .iter()
                .any(|e| e.key == "skipped" && e.value.starts_with("x: an encryption key")),
            "{v:?}"
        );
        o.private_key = Some(KeyMatch {
            file: "p521.pem".into(),
            alg: "EC P-521".into(),
            matches: Ok(vec![]),
            unsupported: Some("a P-521 private key: ring cannot sign with it".into()),
        });
        let v = run(key_match, &o);
        assert_eq!(
            (v.status, v.summary.as_str()),
            (
                Status::Skip,
                "p521.pem: a P-521 private key: ring cannot sign with it"
            )
        );
        o.sample = Some(crate::observe::jwt::TokenSummary {
            file: "t.jwt".into(),
            alg: "ES512".into(),
            kid: Some("p521".into()),
            verified: Err("alg ES512 is not one statectl can verify".into()),
            unverifiable: Some("statectl cannot verify ES512 (P-521) signatures".into()),
            lifetime_s: None,
            exp: None,
            nbf: None,
            iat: None,
            checked_unix: None,
        });
        let v = run(sample_token, &o);
        assert_eq!(v.status, Status::Skip, "{v:?}");
        assert!(
            v.summary
                .contains("cannot be checked: statectl cannot verify ES512"),
            "{v:?}"
        );
    }

    /// Issue 28 #17: a key whose x5c leaf holds another public key fails jwt.algorithm; an
    /// expired leaf warns; a matching current leaf is named in the evidence.
    #[test]
    fn x5c_leaves_are_judged_by_their_key_and_dates() {
        let now = 1_796_601_600;
        let leaf = |not_after_unix: i64, same: bool| crate::observe::jwt::X5cLeaf {
            certs: 2,
            leaf: Ok(crate::observe::tls::CertFacts {
                subject: "CN=signer".into(),
                issuer: "CN=ca".into(),
                names: vec![],
                not_after_unix,
                not_after: "2026-12-05T00:00:00Z".into(),
                key: "RSA 2048".into(),
            }),
            same_key: Ok(same),
            checked_unix: now,
        };
        let with = |x| KeySummary {
            x5c: Some(x),
            ..key(Some("k1"), "RSA", Some(2048), "t1")
        };
        let v = run(algorithm, &obs(vec![vec![with(leaf(now + 86400, true))]]));
        assert_eq!(v.status, Status::Pass);
        assert_eq!(
            v.evidence[0].value,
            "RSA 2048 bits; x5c leaf CN=signer (of 2 certificate(s)) until 2026-12-05T00:00:00Z: holds this key"
        );
        let v = run(algorithm, &obs(vec![vec![with(leaf(now + 86400, false))]]));
        assert!(
            v.status == Status::Fail
                && v.summary
                    .contains("kid k1's x5c leaf certificate (CN=signer) holds another public key"),
            "{v:?}"
        );
        let v = run(algorithm, &obs(vec![vec![with(leaf(now - 1, true))]]));
        assert!(
            v.status == Status::Warn && v.summary.contains("expired at 2026-12-05"),
            "{v:?}"
        );
        // a mismatch outweighs an expiry
        let v = run(algorithm, &obs(vec![vec![with(leaf(now - 1, false))]]));
        assert_eq!(v.status, Status::Fail);
        let unreadable = crate::observe::jwt::X5cLeaf {
            certs: 1,
            leaf: Err("x5c[0] is not base64".into()),
            same_key: Err("x5c[0] is not base64".into()),
            checked_unix: now,
        };
        let v = run(algorithm, &obs(vec![vec![with(unreadable)]]));
        assert!(
            v.status == Status::Warn && v.summary.contains("x5c cannot be read"),
            "{v:?}"
        );
    }
}
