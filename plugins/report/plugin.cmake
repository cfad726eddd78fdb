add_meshca_plugin(report kubectl-meshca-report)
