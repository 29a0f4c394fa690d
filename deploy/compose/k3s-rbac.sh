#!/bin/sh
# Run by the compose service k3s-rbac at every start, as K3s's administrator: gives sync-service exactly the RBAC of
# deploy/kubernetes/base/sync-service-rbac.yaml and the one deployer of a single-team cluster
# (deploy/kubernetes/local/deployer.yaml), which sync-service impersonates for every application, then writes a
# kubeconfig that signs in as the ServiceAccount driftless-system/sync-service with a token valid for a year (renewed
# at every start), into the volume only sync-service mounts. sync-service never sees K3s's admin kubeconfig.
# On a cluster shared by teams, apply deploy/kubernetes/tenant/ per namespace instead of the local deployer.
set -eu
export KUBECONFIG=/k3s/kubeconfig.yaml
server=https://k3s:6443
k() { kubectl --server "$server" "$@"; }

k create namespace driftless-system --dry-run=client -o yaml | k apply -f -
k -n driftless-system create serviceaccount sync-service --dry-run=client -o yaml | k apply -f -
k apply -f /driftless/sync-service-rbac.yaml
k apply -f /driftless/deployer.yaml

token=$(k -n driftless-system create token sync-service --duration=8760h)
ca=$(kubectl config view --raw -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')
umask 022
cat > /sync/kubeconfig.tmp <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: k3s
    cluster: { server: "$server", certificate-authority-data: "$ca" }
users:
  - name: sync-service
    user: { token: "$token" }
contexts:
  - name: sync-service
    context: { cluster: k3s, user: sync-service, namespace: driftless-system }
current-context: sync-service
KUBECONFIG
mv /sync/kubeconfig.tmp /sync/kubeconfig.yaml
echo "sync-service signs in as driftless-system/sync-service"
