{{/*
One install per cluster: the CRDs and ClusterRoles are cluster-wide and the operator's names
are fixed (its Lease is govcloud-operator), so object names do not depend on the release.
*/}}
{{- define "govcloud.name" -}}govcloud-operator{{- end -}}

{{- define "govcloud.namespace" -}}{{ .Values.namespace.name }}{{- end -}}

{{- define "govcloud.selectorLabels" -}}
app.kubernetes.io/name: govcloud-operator
app.kubernetes.io/component: operator
{{- end -}}

{{- define "govcloud.labels" -}}
{{ include "govcloud.selectorLabels" . }}
app.kubernetes.io/part-of: govcloud
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "govcloud.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{- /* The dashboard's own selector: never the operator's, so neither Service selects the other's pods. */ -}}
{{- define "govcloud.dashboardSelectorLabels" -}}
app.kubernetes.io/name: govcloud-operator
app.kubernetes.io/component: dashboard
{{- end -}}

{{- define "govcloud.dashboardLabels" -}}
{{ include "govcloud.dashboardSelectorLabels" . }}
app.kubernetes.io/part-of: govcloud
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}
