require ["encoded-character", "fileinto"];
fileinto "${UnICoDE:0000040}";
