require ["variables", "fileinto", "encoded-character"];
set "n" "x";
fileinto "${hex:24}{n}";
