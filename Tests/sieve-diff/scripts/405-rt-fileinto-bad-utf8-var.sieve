require ["variables", "fileinto", "encoded-character"];
set "a" "${hex:FF}";
fileinto "${a}";
