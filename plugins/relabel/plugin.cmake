add_meshca_plugin(relabel kubectl-meshca-relabel)
