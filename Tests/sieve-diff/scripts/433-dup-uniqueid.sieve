require ["fileinto", "duplicate"];
if duplicate :uniqueid "abc" :seconds 10 {
    fileinto "yes";
} else {
    fileinto "no";
}
