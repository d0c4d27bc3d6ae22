// Command cert-manager-controller runs upstream cert-manager's own controllers (the Certificate
// pipeline, the CertificateRequest approver and CA signer, the Issuer and ClusterIssuer
// controllers) from the root module github.com/cert-manager/cert-manager, which the Go module
// proxy serves. Upstream's main lives in a separate module (cmd/controller) that the proxy does
// not serve, so this is the wiring of its app.Run without the webhook, cainjector, ACME, Vault,
// Venafi, gateway and ingress-shim parts: the same controller constructors, the same
// ContextFactory, flags named like upstream's.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/sync/errgroup"
	logsapi "k8s.io/component-base/logs/api/v1"

	"github.com/cert-manager/cert-manager/pkg/controller"
	logf "github.com/cert-manager/cert-manager/pkg/logs"

	// Each registers its controller with controller.Register in init.
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/approver"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/ca"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/issuing"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/keymanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/readiness"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/requestmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/revisionmanager"
	_ "github.com/cert-manager/cert-manager/pkg/controller/certificates/trigger"
	_ "github.com/cert-manager/cert-manager/pkg/controller/clusterissuers"
	_ "github.com/cert-manager/cert-manager/pkg/controller/issuers"
	// The CA issuer's setup (Issuer/ClusterIssuer Ready once its Secret holds a CA).
	_ "github.com/cert-manager/cert-manager/pkg/issuer/ca"
)

func main() {
	logf.InitLogs()
	defer logf.FlushLogs()
	if err := run(); errors.Is(err, pflag.ErrHelp) {
		return
	} else if err != nil {
		logf.Log.Error(err, "cert-manager controller failed")
		logf.FlushLogs()
		os.Exit(1)
	}
}

func run() error {
	linked := make([]string, 0, len(controller.Known()))
	for name := range controller.Known() {
		linked = append(linked, name)
	}
	slices.Sort(linked)

	flags := pflag.NewFlagSet("cert-manager-controller", pflag.ContinueOnError)
	kubeconfig := flags.String("kubeconfig", "", "Path to a kubeconfig.")
	clusterResourceNamespace := flags.String("cluster-resource-namespace", "kube-system",
		"Namespace holding the Secrets of ClusterIssuers.")
	namespace := flags.String("namespace", "", "Watch only this namespace (default: all).")
	leaderElect := flags.Bool("leader-elect", false, "Only false is supported: one controller per cluster.")
	controllers := flags.StringSlice("controllers", linked, "Controllers to run, of: "+strings.Join(linked, ", "))
	workers := flags.Int("concurrent-workers", 5, "Workers per controller.")
	qps := flags.Float32("kube-api-qps", 20, "Client-side QPS when the API server has no priority and fairness.")
	burst := flags.Int("kube-api-burst", 50, "Client-side burst when the API server has no priority and fairness.")
	logging := logsapi.NewLoggingConfiguration()
	logf.AddFlagsNonDeprecated(logging, flags)
	if err := flags.Parse(os.Args[1:]); err != nil {
		return err
	}
	if err := logf.ValidateAndApply(logging); err != nil {
		return err
	}
	if *leaderElect {
		return fmt.Errorf("--leader-elect=true is not supported by this build")
	}
	for _, name := range *controllers {
		if !slices.Contains(linked, name) {
			return fmt.Errorf("--controllers: %q is not linked into this build (known: %s)", name, strings.Join(linked, ", "))
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	ctx = logf.NewContext(ctx, logf.Log, "controller")
	log := logf.FromContext(ctx)

	// As upstream's defaults (internal/apis/config/controller/v1alpha1) set them.
	factory, err := controller.NewContextFactory(ctx, controller.ContextOptions{
		Kubeconfig:         *kubeconfig,
		KubernetesAPIQPS:   *qps,
		KubernetesAPIBurst: *burst,
		Namespace:          *namespace,
		IssuerOptions:      controller.IssuerOptions{ClusterResourceNamespace: *clusterResourceNamespace},
		CertificateOptions: controller.CertificateOptions{
			CertificateRequestMinimumBackoffDuration: time.Hour,
			CertificateRequestMaximumBackoffDuration: 32 * time.Hour,
		},
	})
	if err != nil {
		return err
	}
	base, err := factory.Build()
	if err != nil {
		return err
	}

	g, ctx := errgroup.WithContext(ctx)
	log.Info("starting cert-manager controllers", "controllers", *controllers)
	for _, name := range *controllers {
		c, err := controller.Known()[name](factory)
		if err != nil {
			return fmt.Errorf("controller %s: %w", name, err)
		}
		g.Go(func() error { return c.Run(*workers, ctx) })
	}
	base.SharedInformerFactory.Start(ctx.Done())
	base.KubeSharedInformerFactory.Start(ctx.Done())
	base.HTTP01ResourceMetadataInformersFactory.Start(ctx.Done())
	err = g.Wait()
	base.HTTP01ResourceMetadataInformersFactory.Shutdown()
	base.KubeSharedInformerFactory.Shutdown()
	base.SharedInformerFactory.Shutdown()
	return err
}
