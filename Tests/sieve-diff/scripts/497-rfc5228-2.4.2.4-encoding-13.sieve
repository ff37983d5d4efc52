require ["encoded-character", "fileinto"];
fileinto "${Unicode:DF01}";
