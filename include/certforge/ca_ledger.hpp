// SPDX-License-Identifier: Apache-2.0
// The CA ledger: every certificate a CA folder issued, in an SQLite
// database (ca.db) next to ca.key, or in a PostgreSQL database that several
// machines issuing for the same CA share (ca.json's "ledger" names it). Both
// hold the same tables and take the same decisions: one writer at a time,
// serial numbers unique by the database's own constraint. An issuance is committed as "pending"
// before its files are renamed into place and becomes "valid" once they are;
// a crash or kill in between leaves a pending entry that the next batch run
// resolves against the files (reconcile_pending), so nothing issued is lost
// and nothing is recorded twice.
#pragma once

#include "certforge/bytes.hpp"
#include "certforge/cert_info.hpp"
#include "certforge/crl.hpp"
#include "certforge/scep_records.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace certforge {

class OutputSet;

inline constexpr const char* kCaLedgerFile = "ca.db";

enum class LedgerStatus {
    pending,    // signed and recorded; its files are being written
    valid,      // its files were written
    superseded, // a newer certificate for the same site replaced it
    revoked,    // on the CRL
    abandoned,  // its files never landed (the run was killed first)
};

std::string_view to_string(LedgerStatus status);
// Throws UsageError for an unknown name.
LedgerStatus ledger_status_from_name(std::string_view name);

struct LedgerEntry {
    std::int64_t sequence = 0; // issuance order, from 1
    std::string serial;        // upper-case hex, no separators
    std::string subject;       // RFC 4514
    std::string common_name;
    std::vector<std::string> subject_alt_names; // "dns:NAME", "ip:ADDRESS"
    std::string site;                           // batch site id; empty otherwise
    std::string profile;
    std::string source;   // "make", "ca sign", "batch"
    std::string location; // the folder its files went to
    UnixTime not_before = 0;
    UnixTime not_after = 0;
    UnixTime issued_at = 0;
    std::string sha256; // lower-case hex
    LedgerStatus status = LedgerStatus::pending;
    std::optional<UnixTime> revoked_at;
    RevocationReason revocation_reason = RevocationReason::unspecified;
    Bytes certificate_der;
};

// A ledger entry for a certificate just signed; status pending.
LedgerEntry make_ledger_entry(const CertInfo& info, std::string profile, std::string source,
                              std::string site, std::string location, UnixTime issued_at);

// Which entries ledger queries return.
struct LedgerFilter {
    std::optional<LedgerStatus> status;
    std::optional<UnixTime> not_after_before; // entries with notAfter <= this
    std::string site;                         // empty: every site
    std::string location;                     // empty: every folder
    std::string companions_of; // the bundle companions of this folder (ledger_bundle_location)
};

// A SCEP decision to commit (CaLedger::commit_scep): the transaction as it
// now stands, the certificate issued for it, the challenge it spends.
struct ScepDecision {
    ScepTransaction transaction;
    std::optional<LedgerEntry> certificate; // with status issued; recorded valid
    std::string challenge_secret_sha256;    // spent with a new transaction; empty: none
    std::string supersedes;                 // renewal: the serial it replaces
};

enum class ScepCommitOutcome {
    committed,       // recorded as given
    challenge_spent, // the challenge was used up or expired meanwhile: nothing recorded
    already_decided, // the transaction was issued or rejected before: nothing recorded
};

struct ScepCommitResult {
    ScepCommitOutcome outcome = ScepCommitOutcome::committed;
    ScepTransaction transaction; // as the ledger now has it
};

struct ReconcileResult {
    std::size_t delivered = 0;
    std::size_t abandoned = 0; // a write of the folder was interrupted
};

// A CaLedger is one connection to the database: use it from one thread at
// a time (give each thread its own).
class CaLedger {
public:
    // Opens (and on first use creates) the ledger of the CA folder `ca_dir`
    // (ca_ledger_url), and checks it belongs to this CA: the first open
    // records the CA certificate's SHA-256 (ca.json) in the ledger, later
    // ones compare it. Throws InputError when the folder has no CA, the
    // database cannot be opened or reached, belongs to another CA, or is not
    // a certforge ledger, is damaged or comes from a newer certforge (one
    // line naming ca.db or the URL; the database is left untouched); also
    // later, for damage the database finds, a lost connection or a missing
    // grant. InternalError when the database fails otherwise.
    explicit CaLedger(const std::filesystem::path& ca_dir);
    // The ledger at `url` (empty: ca.db in `ca_dir`) for a CA being made:
    // `ca_dir` need not hold a CA yet, and nothing is checked against one.
    CaLedger(const std::filesystem::path& ca_dir, const std::string& url);
    ~CaLedger();
    CaLedger(const CaLedger&) = delete;
    CaLedger& operator=(const CaLedger&) = delete;

    // ca.db's path or the PostgreSQL URL, as errors name the ledger.
    const std::string& name() const noexcept;

    // Records that the ledger belongs to the CA whose certificate has this
    // SHA-256 (hex), replacing what was recorded.
    void bind_ca(std::string_view certificate_sha256);

    // Records a new certificate as pending, in its own committed transaction.
    // Returns its sequence number. Throws InputError for a serial already
    // in the ledger.
    std::int64_t record_pending(const LedgerEntry& entry);
    // Records several certificates that go out in one set of files, in one
    // transaction.
    void record_pending(const std::vector<LedgerEntry>& entries);
    // The pending certificate's files are in place: it becomes valid, and
    // the earlier valid certificates in the same folder (location) become
    // superseded, in one transaction.
    void mark_delivered(std::string_view serial);
    void mark_delivered(const std::vector<std::string>& serials);
    // The pending certificate's files never landed. Like mark_delivered, it
    // changes only an entry that is still pending.
    void mark_abandoned(std::string_view serial);
    void mark_abandoned(const std::vector<std::string>& serials);

    // Resolves the pending entries of `location` against the certificate now
    // there (`current_sha256`, empty when there is none): the matching one is
    // delivered (mark_delivered), the others abandoned. Pending companions
    // recorded with one of them (ledger_bundle_location, same issue time)
    // share its fate.
    ReconcileResult reconcile_pending(const std::string& location, std::string_view current_sha256);

    // Entries in issuance order.
    std::vector<LedgerEntry> entries(const LedgerFilter& filter = {}) const;
    std::optional<LedgerEntry> find(std::string_view serial) const;

    // Marks a certificate revoked. Returns the entry as it was before.
    // Throws InputError for an unknown serial, or one already revoked.
    LedgerEntry revoke(std::string_view serial, RevocationReason reason, UnixTime when);

    // The next CRL number (1, 2, ...), counted in the ledger.
    std::uint64_t next_crl_number();

    // SCEP (scep_records.hpp). A challenge, keyed by the SHA-256 (hex) of its
    // secret; challenges that expired over a day ago or are spent are
    // dropped first.
    void add_scep_challenge(const ScepChallenge& challenge, std::string_view secret_sha256,
                            UnixTime now);
    std::optional<ScepChallenge> find_scep_challenge(std::string_view secret_sha256) const;
    // Commits the decisions in one transaction (one fsync for all), each on
    // its own: a decision whose challenge is spent by now (uses_left 0 or
    // expired at `now`) or whose transaction was decided already records
    // nothing and says so. A new transaction is inserted; a pending one
    // becomes issued or rejected. An issued certificate is recorded valid,
    // and a renewal marks the certificate it replaces superseded.
    std::vector<ScepCommitResult> commit_scep(const std::vector<ScepDecision>& decisions,
                                              UnixTime now);
    std::optional<ScepTransaction> find_scep_transaction(std::string_view transaction_id,
                                                         std::string_view request_sha256) const;
    // The latest transaction with this id (a poll names no request).
    std::optional<ScepTransaction> latest_scep_transaction(std::string_view transaction_id) const;
    // In the order received; only those of `status` when given.
    std::vector<ScepTransaction>
    scep_transactions(std::optional<ScepTransactionStatus> status = std::nullopt) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Writes `output` as the delivery of `entry`: records it pending, calls
// `after_record` (a fault-injection point for tests), commits the files,
// marks it valid; when the files cannot be written the entry is marked
// abandoned and the error rethrown.
std::vector<std::filesystem::path> deliver_recorded(CaLedger& ledger, const LedgerEntry& entry,
                                                    OutputSet& output,
                                                    const std::function<void()>& after_record = {});
// The same for several certificates in one set of files (a server
// certificate and the devices' own), recorded and settled together.
std::vector<std::filesystem::path> deliver_recorded(CaLedger& ledger,
                                                    const std::vector<LedgerEntry>& entries,
                                                    OutputSet& output,
                                                    const std::function<void()>& after_record = {});

// The CRL of the ledger's revoked certificates, sorted by serial number:
// valid from `now` for `days`, numbered `number`, signed with `hash`.
CrlTemplate make_crl_template(const std::vector<LedgerEntry>& revoked, std::uint64_t number,
                              HashAlgorithm hash, UnixTime now, unsigned days);

// The URL of the PostgreSQL ledger the CA folder's ca.json names; empty
// when the ledger is ca.db in the folder. Throws InputError when `ca_dir` is
// not a CA folder (no ca.crt) or its ca.json cannot be read.
std::string ca_ledger_url(const std::filesystem::path& ca_dir);
// True when the CA folder has a ledger: ca.json names one, or ca.db exists.
bool ca_has_ledger(const std::filesystem::path& ca_dir);

// Checks a ledger URL before it is recorded: "postgresql://" or
// "postgres://" as libpq reads it, without a password (ca.json is not a
// place for one). Throws UsageError saying what is wrong, or that this
// certforge was built without PostgreSQL (libpq).
void check_ledger_url(std::string_view url);

// How the ledger names a folder or file: the absolute path with symbolic
// links resolved, whatever spelling the user gave.
std::string ledger_location(const std::filesystem::path& path);

// Where the ledger says a device certificate went: inside the folder's
// import bundle, "FOLDER#import-bundle.zip/MEMBER" (MEMBER: "device.p12").
// Such a companion travels with the folder's server certificate: recorded
// and settled with it, superseded with it.
std::string ledger_bundle_location(const std::filesystem::path& folder, std::string_view member);

// A serial as the ledger spells it: upper-case hex without separators. Accepts
// colons and either case. Throws UsageError when `text` is not hex.
std::string normalize_serial(std::string_view text);

} // namespace certforge
