require ["encoded-character", "fileinto"];
fileinto "${hex:4${hex:30}}";
