require fileinto;
