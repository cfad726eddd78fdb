add_meshca_plugin(rollout kubectl-meshca-rollout)
