// SPDX-License-Identifier: Apache-2.0

package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/micromdm/scep/cryptoutil"
	"github.com/micromdm/scep/cryptoutil/x509util"
	"github.com/micromdm/scep/scep"
)

// prepared is one PKCSReq made before the clock starts.
type prepared struct {
	msg, nonce []byte
	txid       string
	key        *rsa.PrivateKey
	signer     *x509.Certificate
}

// load sends n PKCSReq messages, all made up front (keys shared round-robin
// among -keys keys), from c concurrent clients over keep-alive connections;
// each SUCCESS is decrypted, checked and written to -dir as NNNNN.pem. It
// prints "enrolled X, failed Y, R/s over C clients, p50 A ms, p99 B ms".
func load(o *opts) {
	need("challenge-file", o.chal)
	cas := caCerts(o.url)
	to := scep.EnciphermentCertsSelector().SelectCerts(cas)
	if len(to) == 0 {
		to = cas
	}
	challenge := strings.TrimRight(string(must(os.ReadFile(o.chal))), "\r\n")
	keys := make([]*rsa.PrivateKey, o.keys)
	signers := make([]*x509.Certificate, o.keys)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			keys[i] = must(rsa.GenerateKey(rand.Reader, 2048))
			now := time.Now()
			t := x509.Certificate{SerialNumber: big.NewInt(int64(i + 1)), Subject: pkix.Name{CommonName: fmt.Sprintf("load-key-%d", i)},
				NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), SignatureAlgorithm: x509.SHA256WithRSA}
			signers[i] = must(x509.ParseCertificate(must(x509.CreateCertificate(rand.Reader, &t, &t, &keys[i].PublicKey, keys[i]))))
		}(i)
	}
	wg.Wait()
	reqs := make([]prepared, o.n)
	for i := range reqs {
		key, signer := keys[i%o.keys], signers[i%o.keys]
		cn := fmt.Sprintf("%s%05d.load.test", o.cn, i)
		tmpl := x509util.CertificateRequest{CertificateRequest: x509.CertificateRequest{Subject: pkix.Name{CommonName: cn},
			DNSNames: []string{cn}, SignatureAlgorithm: x509.SHA256WithRSA}, ChallengePassword: challenge}
		csr := must(x509util.CreateCertificateRequest(rand.Reader, &tmpl, key))
		nonce := make([]byte, 16)
		must(rand.Read(nonce))
		txid := base64.StdEncoding.EncodeToString(must(cryptoutil.GenerateSubjectKeyID(&key.PublicKey)))
		reqs[i] = prepared{pkiMessage(string(scep.PKCSReq), txid, nonce, csr, to, signer, key, o), nonce, txid, key, signer}
	}
	if o.out != "" {
		check(os.MkdirAll(o.out, 0755))
	}
	client := &http.Client{Timeout: httpc.Timeout, Transport: &http.Transport{MaxIdleConnsPerHost: o.clients}}
	target := o.url + "?operation=PKIOperation"
	var mu sync.Mutex
	var latencies []time.Duration
	var errors []string
	next := 0
	start := time.Now()
	for w := 0; w < o.clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				mu.Unlock()
				if i >= len(reqs) {
					return
				}
				t0 := time.Now()
				err := sendPrepared(client, target, &reqs[i], cas, o.out, i)
				d := time.Since(t0)
				mu.Lock()
				if err != nil {
					errors = append(errors, err.Error())
				} else {
					latencies = append(latencies, d)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	pct := func(p float64) float64 {
		if len(latencies) == 0 {
			return 0
		}
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	for i, e := range errors {
		if i == 3 {
			break
		}
		fmt.Fprintln(os.Stderr, "load:", strings.ReplaceAll(e, "\n", " "))
	}
	fmt.Printf("enrolled %d, failed %d, %.1f/s over %d clients, p50 %.1f ms, p99 %.1f ms\n",
		len(latencies), len(errors), float64(len(latencies))/elapsed.Seconds(), o.clients, pct(0.50), pct(0.99))
}

func sendPrepared(client *http.Client, target string, r *prepared, cas []*x509.Certificate, dir string, i int) error {
	resp, err := client.Post(target, "application/x-pki-message", bytes.NewReader(r.msg))
	if err != nil {
		return err
	}
	var body bytes.Buffer
	_, err = body.ReadFrom(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, firstLine(body.Bytes()))
	}
	rep, err := scep.ParsePKIMessage(body.Bytes(), scep.WithCACerts(cas))
	if err != nil {
		return err
	}
	if string(rep.TransactionID) != r.txid || !bytes.Equal(rep.RecipientNonce, r.nonce) {
		return fmt.Errorf("CertRep does not answer the request")
	}
	if rep.PKIStatus != scep.SUCCESS {
		return fmt.Errorf("pkiStatus %s failInfo %s", statusNames[rep.PKIStatus], failName(rep.FailInfo))
	}
	if err := rep.DecryptPKIEnvelope(r.signer, r.key); err != nil {
		return err
	}
	if !r.key.PublicKey.Equal(rep.Certificate.PublicKey) {
		return fmt.Errorf("issued certificate does not carry the request's key")
	}
	if dir != "" {
		var b bytes.Buffer
		writePEMTo(&b, rep.Certificate)
		return os.WriteFile(filepath.Join(dir, fmt.Sprintf("%05d.pem", i)), b.Bytes(), 0644)
	}
	return nil
}
