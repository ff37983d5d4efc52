require ["fileinto", "duplicate"];
if duplicate {
    fileinto "yes";
} else {
    fileinto "no";
}
