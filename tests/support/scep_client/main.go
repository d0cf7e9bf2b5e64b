// SPDX-License-Identifier: Apache-2.0

// certforge_scep_client is a small SCEP client for certforge's tests, built
// in GOPATH mode on Debian 12's micromdm/scep 2.1.0 and go.mozilla.org/pkcs7
// (a symlink to github.com/fullsailor/pkcs7, Mozilla's fork). See build.sh.
//
// PKIMessages are built here with pkcs7 rather than scep.NewCSRRequest, which
// always signs with SHA-1 and cannot build CertPoll. CertReps are parsed with
// scep.ParsePKIMessage(WithCACerts(the GetCACert certificates)).
package main

import (
	"bytes"
	"crypto/cipher"
	"crypto/des"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/micromdm/scep/cryptoutil"
	"github.com/micromdm/scep/cryptoutil/x509util"
	"github.com/micromdm/scep/scep"
	"go.mozilla.org/pkcs7"
)

var (
	oidMsgType     = asn1.ObjectIdentifier{2, 16, 840, 1, 113733, 1, 9, 2}
	oidSenderNonce = asn1.ObjectIdentifier{2, 16, 840, 1, 113733, 1, 9, 5}
	oidTxID        = asn1.ObjectIdentifier{2, 16, 840, 1, 113733, 1, 9, 7}
	oidDES3        = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
	oidRSA         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidData        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidEnveloped   = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 3}
	failNames      = map[scep.FailInfo]string{"0": "badAlg", "1": "badMessageCheck", "2": "badRequest", "3": "badTime", "4": "badCertId"}
	statusNames    = map[scep.PKIStatus]string{"0": "SUCCESS", "2": "FAILURE", "3": "PENDING"}
	digests        = map[string]asn1.ObjectIdentifier{"sha1": pkcs7.OIDDigestAlgorithmSHA1, "sha256": pkcs7.OIDDigestAlgorithmSHA256}
	// pkcs7.Encrypt's ciphers (des = DES-CBC, its default); des3 (-1) is encoded by envelopeDES3.
	ciphers = map[string]int{"des": pkcs7.EncryptionAlgorithmDESCBC, "aes128": pkcs7.EncryptionAlgorithmAES128CBC,
		"aes256": pkcs7.EncryptionAlgorithmAES256CBC, "des3": -1}
	httpc = &http.Client{}
	cmd   string
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(s string) error { *l = append(*l, s); return nil }

type opts struct {
	url, key, cn, chal, out, cipher, digest, cert, oldKey, txid, in, save string
	dns                                                                   list
	get                                                                   bool
	bits, pollSec, n, clients, keys                                       int
	timeout                                                               float64
}

// die prints one line on stderr and exits.
func die(code int, format string, a ...interface{}) {
	fmt.Fprintln(os.Stderr, cmd+": "+strings.ReplaceAll(fmt.Sprintf(format, a...), "\n", " "))
	os.Exit(code)
}

func check(err error) {
	if err != nil {
		die(1, "%v", err)
	}
}

func must[T any](v T, err error) T { check(err); return v }

// need takes flag name, value pairs and dies on the first empty value.
func need(pairs ...string) {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			die(1, "-%s is required", pairs[i])
		}
	}
}

func failName(fi scep.FailInfo) string {
	if name, ok := failNames[fi]; ok {
		return name
	}
	return "failInfo(" + string(fi) + ")"
}

func main() {
	cmd = "certforge_scep_client"
	defer func() { // the library panics on some malformed replies (e.g. an empty degenerate PKCS#7)
		if r := recover(); r != nil {
			die(1, "panic: %v", r)
		}
	}()
	top := flag.NewFlagSet(cmd, flag.ContinueOnError)
	top.SetOutput(io.Discard)
	timeout := top.Float64("timeout", 10, "HTTP timeout in seconds")
	if err := top.Parse(os.Args[1:]); err != nil || top.NArg() == 0 {
		die(1, "usage: certforge_scep_client [-timeout S] caps|cacert|enroll|renew|poll|raw|load -url URL ...")
	}
	cmd = top.Arg(0)
	o, fs := &opts{}, flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.url, "url", "", "SCEP URL")
	fs.Float64Var(&o.timeout, "timeout", *timeout, "HTTP timeout in seconds")
	switch cmd {
	case "caps":
	case "cacert":
		fs.StringVar(&o.out, "out", "", "PEM output")
	case "raw":
		fs.StringVar(&o.in, "in", "", "DER PKIMessage")
	case "load":
		fs.StringVar(&o.chal, "challenge-file", "", "file holding the challengePassword")
		fs.StringVar(&o.out, "dir", "", "write each issued certificate here")
		fs.StringVar(&o.cn, "prefix", "dev", "CN prefix")
		fs.StringVar(&o.cipher, "cipher", "aes128", "des3|aes128|aes256")
		fs.StringVar(&o.digest, "digest", "sha256", "sha1|sha256")
		fs.IntVar(&o.n, "n", 100, "enrollments")
		fs.IntVar(&o.clients, "c", 1, "concurrent clients")
		fs.IntVar(&o.keys, "keys", 8, "RSA-2048 keys the requests share")
	case "enroll", "renew", "poll":
		fs.StringVar(&o.key, "key", "", "RSA key PEM (created if missing)")
		fs.StringVar(&o.cn, "cn", "", "subject CN")
		fs.Var(&o.dns, "dns", "DNS SAN (repeatable)")
		fs.StringVar(&o.out, "out", "", "certificate PEM output (default stdout)")
		fs.StringVar(&o.cipher, "cipher", "aes128", "des3|aes128|aes256 (or des: single DES, the library default)")
		fs.StringVar(&o.digest, "digest", "sha256", "sha1|sha256")
		fs.BoolVar(&o.get, "get", false, "send PKIOperation with GET")
		fs.IntVar(&o.bits, "key-bits", 2048, "RSA key size when creating the key")
		fs.IntVar(&o.pollSec, "poll-seconds", 0, "poll with GetCertInitial while PENDING")
		fs.StringVar(&o.chal, "challenge-file", "", "file holding the challengePassword")
		fs.StringVar(&o.cert, "cert", "", "old certificate (renew)")
		fs.StringVar(&o.oldKey, "old-key", "", "old key (renew)")
		fs.StringVar(&o.txid, "txid", "", "transactionID (default derived from the key)")
		fs.StringVar(&o.save, "save", "", "write the (last) PKIOperation request DER here")
	default:
		die(1, "unknown subcommand")
	}
	check(fs.Parse(top.Args()[1:]))
	if fs.NArg() > 0 {
		die(1, "unexpected argument %q", fs.Arg(0))
	}
	need("url", o.url)
	httpc.Timeout = time.Duration(o.timeout * float64(time.Second))
	switch cmd {
	case "caps":
		body := request(o.url, "GetCACaps", nil, true)
		fmt.Print(string(body))
		if len(body) > 0 && body[len(body)-1] != '\n' {
			fmt.Println()
		}
	case "cacert":
		need("out", o.out)
		writePEM(o.out, caCerts(o.url)...)
	case "raw":
		rawOp(o)
	case "load":
		if o.n < 1 || o.clients < 1 || o.keys < 1 {
			die(1, "-n, -c and -keys must be at least 1")
		}
		load(o)
	default:
		os.Exit(enroll(o))
	}
}

// request performs a SCEP HTTP operation and returns the 200 body; msg goes in
// the POST body, or with get base64 in the URL-escaped "message" parameter.
func request(base, op string, msg []byte, get bool) []byte {
	status, body := send(base, op, msg, get)
	if status != http.StatusOK {
		die(1, "%s: HTTP %d: %s", op, status, firstLine(body))
	}
	return body
}

func firstLine(b []byte) string {
	line := strings.SplitN(strings.TrimSpace(string(b)), "\n", 2)[0]
	if len(line) > 200 {
		line = line[:200]
	}
	return line
}

func send(base, op string, msg []byte, get bool) (int, []byte) {
	u := must(url.Parse(base))
	q := u.Query()
	q.Set("operation", op)
	if get && msg != nil {
		q.Set("message", base64.StdEncoding.EncodeToString(msg))
	}
	u.RawQuery = q.Encode()
	var resp *http.Response
	if get {
		resp = must(httpc.Get(u.String()))
	} else {
		resp = must(httpc.Post(u.String(), "application/x-pki-message", bytes.NewReader(msg)))
	}
	defer resp.Body.Close()
	return resp.StatusCode, must(io.ReadAll(resp.Body))
}

// caCerts returns GetCACert's certificates: a degenerate PKCS#7 (RA and CA) or one DER certificate.
func caCerts(u string) []*x509.Certificate {
	return must(parseCACerts(request(u, "GetCACert", nil, true)))
}

func parseCACerts(body []byte) ([]*x509.Certificate, error) {
	if cas, err := scep.CACerts(body); err == nil && len(cas) > 0 {
		return cas, nil
	}
	c, err := x509.ParseCertificate(body)
	if err != nil {
		return nil, fmt.Errorf("GetCACert: neither a PKCS#7 with certificates nor a certificate: %v", err)
	}
	return []*x509.Certificate{c}, nil
}

func writePEMTo(b *bytes.Buffer, certs ...*x509.Certificate) {
	for _, c := range certs {
		pem.Encode(b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
}

func writePEM(path string, certs ...*x509.Certificate) {
	var b bytes.Buffer
	writePEMTo(&b, certs...)
	if path == "" {
		must(os.Stdout.Write(b.Bytes()))
	} else {
		check(os.WriteFile(path, b.Bytes(), 0644))
	}
}

func readPEM(path string) *pem.Block {
	b, _ := pem.Decode(must(os.ReadFile(path)))
	if b == nil {
		die(1, "%s: no PEM block", path)
	}
	return b
}

// loadKey reads a PKCS#1 or PKCS#8 RSA key; with bits > 0 a missing file is created (0600).
func loadKey(path string, bits int) *rsa.PrivateKey {
	if _, err := os.Stat(path); os.IsNotExist(err) && bits > 0 {
		k := must(rsa.GenerateKey(rand.Reader, bits))
		check(os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)}), 0600))
		return k
	}
	b := readPEM(path)
	if k, err := x509.ParsePKCS1PrivateKey(b.Bytes); err == nil {
		return k
	}
	k, ok := must(x509.ParsePKCS8PrivateKey(b.Bytes)).(*rsa.PrivateKey)
	if !ok {
		die(1, "%s: not an RSA key", path)
	}
	return k
}

// envelope encrypts data to the recipients. The library's pkcs7.Encrypt takes the
// content cipher from the package variable pkcs7.ContentEncryptionAlgorithm:
// DES-CBC (default), AES-128/256-CBC or AES-GCM; it has no 3DES encryption (only
// decryption), so des3 is encoded here by hand.
func envelope(data []byte, to []*x509.Certificate, alg string) []byte {
	if ciphers[alg] < 0 {
		return envelopeDES3(data, to)
	}
	pkcs7.ContentEncryptionAlgorithm = ciphers[alg]
	return must(pkcs7.Encrypt(data, to))
}

// tlv wraps parts in a constructed TLV: class 0 tag 16 SEQUENCE, 17 SET; class 2 tag 0 [0].
func tlv(class, tag int, parts ...[]byte) []byte {
	return der(asn1.RawValue{Class: class, Tag: tag, IsCompound: true, Bytes: bytes.Join(parts, nil)})
}

func der(v interface{}) []byte { return must(asn1.Marshal(v)) }

// envelopeDES3 builds ContentInfo(EnvelopedData v0, RecipientInfo v0 per recipient
// (issuerAndSerialNumber, rsaEncryption with NULL parameters), des-ede3-cbc with the IV as parameter).
func envelopeDES3(data []byte, to []*x509.Certificate) []byte {
	key, iv := make([]byte, 24), make([]byte, 8)
	must(rand.Read(key))
	must(rand.Read(iv))
	n := 8 - len(data)%8
	ct := append(append([]byte{}, data...), bytes.Repeat([]byte{byte(n)}, n)...)
	cipher.NewCBCEncrypter(must(des.NewTripleDESCipher(key)), iv).CryptBlocks(ct, ct)
	var ris [][]byte
	for _, c := range to {
		pub, ok := c.PublicKey.(*rsa.PublicKey)
		if !ok {
			die(1, "recipient %s has no RSA key", c.Subject)
		}
		ek := must(rsa.EncryptPKCS1v15(rand.Reader, pub, key))
		ris = append(ris, tlv(0, 16, der(0), tlv(0, 16, c.RawIssuer, der(c.SerialNumber)), tlv(0, 16, der(oidRSA), asn1.NullBytes), der(ek)))
	}
	sort.Slice(ris, func(i, j int) bool { return bytes.Compare(ris[i], ris[j]) < 0 }) // DER SET OF order
	eci := tlv(0, 16, der(oidData), tlv(0, 16, der(oidDES3), der(iv)), der(asn1.RawValue{Class: 2, Tag: 0, Bytes: ct}))
	return tlv(0, 16, der(oidEnveloped), tlv(2, 0, tlv(0, 16, der(0), tlv(0, 17, ris...), eci)))
}

// pkiMessage signs envelope(content) with the SCEP attributes; pkcs7 adds
// contentType, messageDigest and signingTime and embeds the signer certificate.
func pkiMessage(mt, txid string, nonce, content []byte, to []*x509.Certificate, signer *x509.Certificate, key *rsa.PrivateKey, o *opts) []byte {
	sd := must(pkcs7.NewSignedData(envelope(content, to, o.cipher)))
	sd.SetDigestAlgorithm(digests[o.digest]) // the library's default is SHA-1
	attrs := []pkcs7.Attribute{{Type: oidTxID, Value: txid}, {Type: oidMsgType, Value: mt}, {Type: oidSenderNonce, Value: nonce}}
	check(sd.AddSigner(signer, key, pkcs7.SignerInfoConfig{ExtraSignedAttributes: attrs}))
	return must(sd.Finish())
}

// enroll runs enroll, renew and poll; it returns the exit code (0, 2 failure, 3 pending).
func enroll(o *opts) int {
	need("key", o.key, "cn", o.cn)
	if _, ok := ciphers[o.cipher]; !ok {
		die(1, "unknown cipher %q", o.cipher)
	}
	if digests[o.digest] == nil {
		die(1, "unknown digest %q", o.digest)
	}
	cas := caCerts(o.url)
	to := scep.EnciphermentCertsSelector().SelectCerts(cas)
	if len(to) == 0 {
		to = cas
	}
	issuer := cas[0]
	for _, c := range cas {
		if c.IsCA {
			issuer = c
			break
		}
	}
	key := loadKey(o.key, o.bits)
	signer, signKey := (*x509.Certificate)(nil), key
	if cmd == "renew" {
		need("cert", o.cert, "old-key", o.oldKey)
		signer = must(x509.ParseCertificate(readPEM(o.cert).Bytes))
		signKey = loadKey(o.oldKey, 0)
	} else {
		now := time.Now()
		t := x509.Certificate{SerialNumber: must(rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))),
			Subject: pkix.Name{CommonName: o.cn}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, SignatureAlgorithm: x509.SHA256WithRSA}
		signer = must(x509.ParseCertificate(must(x509.CreateCertificate(rand.Reader, &t, &t, &key.PublicKey, key))))
	}
	txid := base64.StdEncoding.EncodeToString(must(cryptoutil.GenerateSubjectKeyID(&key.PublicKey))) // as scep.NewCSRRequest
	if o.txid != "" {
		txid = o.txid
	}
	// GetCertInitial content: IssuerAndSubject ::= SEQUENCE { issuer Name, subject Name }
	poll := tlv(0, 16, issuer.RawSubject, der(pkix.Name{CommonName: o.cn}.ToRDNSequence()))
	mt, content := scep.MessageType(scep.CertPoll), poll
	if cmd != "poll" {
		tmpl := x509util.CertificateRequest{CertificateRequest: x509.CertificateRequest{Subject: pkix.Name{CommonName: o.cn}, DNSNames: o.dns, SignatureAlgorithm: x509.SHA256WithRSA}}
		if o.chal != "" {
			tmpl.ChallengePassword = strings.TrimRight(string(must(os.ReadFile(o.chal))), "\r\n")
		}
		content = must(x509util.CreateCertificateRequest(rand.Reader, &tmpl, key))
		mt = scep.PKCSReq
		if cmd == "renew" {
			mt = scep.RenewalReq
		}
	}
	deadline, announced := time.Now().Add(time.Duration(o.pollSec)*time.Second), false
	for {
		nonce := make([]byte, 16)
		must(rand.Read(nonce))
		msg := pkiMessage(string(mt), txid, nonce, content, to, signer, signKey, o)
		if o.save != "" {
			check(os.WriteFile(o.save, msg, 0644))
		}
		body := request(o.url, "PKIOperation", msg, o.get)
		rep, err := scep.ParsePKIMessage(body, scep.WithCACerts(cas))
		if err != nil {
			die(1, "CertRep: %v", err)
		}
		switch {
		case rep.MessageType != scep.CertRep || rep.CertRepMessage == nil:
			die(1, "reply messageType %q is not CertRep", string(rep.MessageType))
		case string(rep.TransactionID) != txid:
			die(1, "CertRep transactionID %q does not match %q", string(rep.TransactionID), txid)
		case !bytes.Equal(rep.RecipientNonce, nonce):
			die(1, "CertRep recipientNonce %x does not echo senderNonce %x", []byte(rep.RecipientNonce), nonce)
		}
		switch rep.PKIStatus {
		case scep.SUCCESS:
			if err := rep.DecryptPKIEnvelope(signer, signKey); err != nil {
				die(1, "CertRep envelope: %v", err)
			}
			if !key.PublicKey.Equal(rep.Certificate.PublicKey) {
				die(1, "issued certificate %s does not carry our public key", rep.Certificate.Subject)
			}
			writePEM(o.out, rep.Certificate)
			return 0
		case scep.FAILURE:
			fmt.Println("failure:", failName(rep.FailInfo))
			return 2
		}
		if !announced {
			fmt.Println("pending:", txid)
			announced = true
		}
		if !time.Now().Before(deadline) {
			return 3
		}
		time.Sleep(time.Second)
		mt, content = scep.CertPoll, poll
	}
}

// rawOp POSTs a prepared PKIOperation body and reports what came back.
func rawOp(o *opts) {
	need("in", o.in)
	status, body := send(o.url, "PKIOperation", must(os.ReadFile(o.in)), false)
	fmt.Println("http:", status)
	if status != http.StatusOK {
		fmt.Println("body:", firstLine(body))
		return
	}
	var opt []scep.Option // verify with the GetCACert certificates when available
	if s, b := send(o.url, "GetCACert", nil, true); s == http.StatusOK {
		if cas, err := parseCACerts(b); err == nil {
			opt = append(opt, scep.WithCACerts(cas))
		}
	}
	if rep, err := scep.ParsePKIMessage(body, opt...); err != nil {
		fmt.Println("unparsed:", strings.ReplaceAll(err.Error(), "\n", " "))
	} else if rep.CertRepMessage != nil {
		fmt.Println("pkiStatus:", statusNames[rep.PKIStatus])
		if rep.PKIStatus == scep.FAILURE {
			fmt.Println("failInfo:", failName(rep.FailInfo))
		}
	}
}
