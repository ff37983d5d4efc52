require ["fileinto", "date"];
if date :zone "+0000" :is "x-sent" "hour" "04" {
    fileinto "yes";
} else {
    fileinto "no";
}
